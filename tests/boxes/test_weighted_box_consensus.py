"""A box job aggregated by reputation-weighted majority: the voting weights that weigh class votes
weigh the box clusters too, so one trusted labeler outvotes two unproven ones (and not otherwise)."""

import pytest

from apps.boxes.geometry import Box
from apps.boxes.models import BoxAnnotation
from apps.boxes.selectors import box_settlement_input
from apps.boxes.settlement import compute_box_settlement
from apps.jobs.models import Job
from apps.reputation.models import Reputation
from tests.boxes.conftest import make_box_job
from tests.factories import make_labels, make_user

ITEM = 4  # not a gold image
LEFT, RIGHT = Box(0, 10, 20, 100, 50), Box(0, 600, 400, 80, 60)  # no overlap: two separate clusters


def settled_consensus(method: str) -> tuple[list, dict | None]:
    job = make_box_job(requester=make_user("0x" + "1" * 40), aggregation_method=method, domain="streets")
    drawn = {"0x" + "2" * 40: LEFT, "0x" + "3" * 40: LEFT, "0x" + "4" * 40: RIGHT}
    for address, box in drawn.items():
        worker = make_user(address)
        (label,) = make_labels(job=job, worker=worker, labels={ITEM: 1})
        BoxAnnotation.objects.create(
            label=label, job=job, item=label.item, worker=worker, boxes=[box.as_dict()], commitment="0x", verified=True
        )
    trusted = make_user("0x" + "4" * 40)
    Reputation.objects.create(worker=trusted, domain="streets", score=0.99, weight=16)
    data = box_settlement_input(job=job)
    return [(c.box.x, c.box.y) for c in compute_box_settlement(data).consensus[ITEM]], data.weights


@pytest.mark.django_db
def test_weights_follow_the_jobs_aggregation_method():
    consensus, weights = settled_consensus(Job.AggregationMethod.WEIGHTED_MAJORITY)
    assert weights == {"0x" + "2" * 40: 1.0, "0x" + "3" * 40: 1.0, "0x" + "4" * 40: 16.0}
    assert consensus == [(RIGHT.x, RIGHT.y)]


@pytest.mark.django_db
def test_unweighted_methods_count_each_labeler_once():
    consensus, weights = settled_consensus(Job.AggregationMethod.MAJORITY)
    assert weights is None
    assert consensus == [(LEFT.x, LEFT.y)]
