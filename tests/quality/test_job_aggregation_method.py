"""The worker's aggregation (what the dashboard and the export read) uses the job's chosen method:
weighted majority with the labelers' voting power in the job's domain, the Dawid–Skene methods
with a majority fallback while the crowd overlaps too little."""

import pytest

from apps.jobs.models import Job
from apps.quality.models import ItemAggregate
from apps.quality.selectors import item_aggregates
from apps.quality.services import aggregate_job
from apps.reputation.models import Reputation
from tests.factories import make_job, make_labels, make_user

pytestmark = pytest.mark.django_db

A, B, C = (f"0x{n:040x}" for n in (1, 2, 3))


def two_against_one(**fields) -> Job:
    """Items 0..29: workers A and B answer 1, worker C answers 2."""
    job = make_job(requester=make_user("0x" + "aa" * 20), num_items=30, **fields)
    for address, label in ((A, 1), (B, 1), (C, 2)):
        make_labels(job=job, worker=make_user(address), labels={i: label for i in range(30)})
    return job


def test_weighted_majority_follows_the_domain_weights():
    job = two_against_one(aggregation_method=Job.AggregationMethod.WEIGHTED_MAJORITY, domain="digits")
    Reputation.objects.create(worker=make_user(C), domain="digits", score=0.95, weight=16)
    Reputation.objects.create(worker=make_user(A), domain="letters", score=0.95, weight=16)  # other domain
    truth = aggregate_job(job_id=job.pk)
    assert truth.method == "weighted_majority"
    assert {label for label, _ in item_aggregates(job).values()} == {2}
    assert item_aggregates(job)[job.items.get(index=0).pk][1] == pytest.approx(16 / 18)


def test_plain_majority_ignores_the_weights():
    job = two_against_one(aggregation_method=Job.AggregationMethod.MAJORITY)
    Reputation.objects.create(worker=make_user(C), domain="", score=0.95, weight=16)
    assert aggregate_job(job_id=job.pk).method == "majority"
    assert {label for label, _ in item_aggregates(job).values()} == {1}


@pytest.mark.parametrize("method", ["dawid_skene", "anchored_dawid_skene"])
def test_dawid_skene_methods_are_used_with_enough_overlap(method):
    job = two_against_one(aggregation_method=method)
    assert aggregate_job(job_id=job.pk).method == method
    assert set(ItemAggregate.objects.filter(item__job=job).values_list("method", flat=True)) == {method}


def test_dawid_skene_falls_back_to_the_vote_with_little_overlap():
    job = make_job(requester=make_user("0x" + "aa" * 20), num_items=4, aggregation_method="dawid_skene")
    make_labels(job=job, worker=make_user(A), labels={0: 1, 1: 2})
    make_labels(job=job, worker=make_user(B), labels={0: 1})
    assert aggregate_job(job_id=job.pk).method == "majority"
