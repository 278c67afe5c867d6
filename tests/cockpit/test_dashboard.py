"""The dashboard selector on a small job whose every number is worked out by hand."""

import json

import pytest

from apps.cockpit.dashboard import dashboard
from apps.learning.models import ModelVersion
from apps.quality.models import ItemAggregate
from tests.factories import TOKEN, make_job, make_labels, make_user

A = "0x1000000000000000000000000000000000000001"
B = "0x2000000000000000000000000000000000000002"
C = "0x3000000000000000000000000000000000000003"


def aggregate(job, index: int, label: int, confidence: float) -> None:
    ItemAggregate.objects.create(
        item=job.items.get(index=index), label=label, confidence=confidence, method="majority", votes=2
    )


@pytest.fixture
def job(requester):
    """6 items, gold 0 → class 0 and 1 → class 1, two labels per item, budget 12 tokens."""
    job = make_job(requester=requester.user, num_items=6, gold={0: 0, 1: 1}, redundancy=2, status="live")
    a, b, c = make_user(A), make_user(B), make_user(C)
    make_labels(job=job, worker=a, labels={0: 0, 1: 1, 2: 2, 3: 0})
    make_labels(job=job, worker=b, labels={0: 1, 2: 2, 3: 1})
    make_labels(job=job, worker=c, labels={3: 1, 4: 0})
    make_labels(job=job, worker=c, labels={5: 1}, status="pending")
    aggregate(job, 2, 2, 0.9)
    aggregate(job, 3, 1, 0.6)
    aggregate(job, 4, 0, 0.5)
    for version, labels_used, accuracy in [(1, 5, 0.5), (2, 9, None)]:
        ModelVersion.objects.create(
            job=job, version=version, labels_used=labels_used, items_used=2, heldout_accuracy=accuracy,
            strategy="margin", artifact_cid="x",
        )  # fmt: skip
    return job


def test_progress_and_spend(job):
    numbers = dashboard(job=job)
    assert (numbers.items, numbers.gold_items, numbers.items_complete) == (6, 2, 3)  # items 0, 2, 3 have ≥ 2
    assert (numbers.labels_pending, numbers.labels_confirmed) == (1, 9)
    assert (numbers.spent, numbers.budget) == (str(9 * TOKEN), str(12 * TOKEN))
    assert (numbers.spent_tokens, numbers.budget_tokens, numbers.spent_share) == ("9", "12", 0.75)
    assert (numbers.status, numbers.status_display) == ("live", "Live")


def test_learning_curve(job):
    curve = dashboard(job=job).learning_curve
    assert [(p.version, p.labels_used, p.heldout_accuracy) for p in curve] == [(1, 5, 0.5), (2, 9, None)]


def test_agreement(job):
    # Items 2 and 3 have several labels and an aggregate; only item 2's labels all agree with it.
    agreement = dashboard(job=job).agreement
    assert (agreement.multi_labeled_items, agreement.agreeing_items, agreement.share) == (2, 1, 0.5)
    assert agreement.mean_confidence == pytest.approx((0.9 + 0.6 + 0.5) / 3)


def test_per_worker_accuracy(job):
    numbers = dashboard(job=job)
    rows = [(w.address, w.labels, w.agreement, w.gold_accuracy, w.gold_labels) for w in numbers.workers]
    assert rows == [
        (A, 4, 0.5, 1.0, 2),  # right on both gold items; agrees on item 2, not on item 3
        (B, 3, 1.0, 0.0, 1),
        (C, 2, 1.0, None, 0),  # its pending label on item 5 does not count
    ]
    assert numbers.workers[0].worker == "0x1000…0001"
    assert numbers.workers_total == 3


def test_a_fresh_job_has_no_shares(requester):
    numbers = dashboard(job=make_job(requester=requester.user, num_items=3))
    assert (numbers.items_complete, numbers.labels_confirmed, numbers.learning_curve, numbers.workers) == (0, 0, [], [])
    assert (numbers.agreement.share, numbers.agreement.mean_confidence) == (None, None)


def test_is_json_serialisable(job):
    assert json.loads(json.dumps(dashboard(job=job).as_json()))["agreement"]["share"] == 0.5
