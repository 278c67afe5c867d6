"""Aggregation of a job's confirmed labels into ItemAggregate rows and the selector others read."""

import pytest

from apps.quality.models import ItemAggregate
from apps.quality.selectors import item_aggregates
from apps.quality.services import aggregate_job
from apps.quality.truth import FALLBACK_METHOD
from tests.factories import make_job, make_labels, make_user

pytestmark = pytest.mark.django_db

A, B, C = (f"0x{n:040x}" for n in (1, 2, 3))


def test_small_job_uses_the_vote_and_pending_labels_do_not_count():
    job = make_job(requester=make_user("0x" + "aa" * 20), num_items=4)
    a, b, c = (make_user(address) for address in (A, B, C))
    make_labels(job=job, worker=a, labels={0: 1, 1: 2})
    make_labels(job=job, worker=b, labels={0: 1, 1: 0})
    make_labels(job=job, worker=c, labels={0: 2, 1: 0, 2: 1}, status="pending")

    truth = aggregate_job(job_id=job.pk)

    assert truth.method == FALLBACK_METHOD
    items = {item.index: item.pk for item in job.items.all()}
    aggregates = item_aggregates(job)
    assert set(aggregates) == {items[0], items[1]}  # item 2 has only a pending label
    assert aggregates[items[0]] == (1, 1.0)
    assert aggregates[items[1]][0] == 0  # a tie goes to the lowest class
    assert ItemAggregate.objects.get(item_id=items[0]).votes == 2


def test_dawid_skene_with_overlap_gold_wins_and_rerun_updates_in_place():
    job = make_job(requester=make_user("0x" + "aa" * 20), num_items=30, gold={3: 2})  # the crowd says 0 for item 3
    a, b, c = (make_user(address) for address in (A, B, C))
    truth = {i: i % 3 for i in range(30)}
    make_labels(job=job, worker=a, labels=truth)
    make_labels(job=job, worker=b, labels=truth)
    make_labels(job=job, worker=c, labels={i: 0 for i in range(30)})  # always the first class

    result = aggregate_job(job_id=job.pk)
    assert result.method == "anchored_dawid_skene"
    by_index = {item.index: item.pk for item in job.items.all()}
    aggregates = item_aggregates(job)
    assert all(aggregates[by_index[i]][0] == truth[i] for i in range(30) if i != 3)
    assert aggregates[by_index[3]] == (2, 1.0)

    aggregate_job(job_id=job.pk)
    assert ItemAggregate.objects.filter(item__job=job).count() == 30
