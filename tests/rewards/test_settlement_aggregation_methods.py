"""Each aggregation method a job can choose runs end to end through settlement (report, stored
aggregates, truth on chain); reputation-weighted majority uses the voting weights, and the DB
weights it uses give the same tallies as the contract's weightedTally."""

import json

import numpy as np
import pytest

from apps.integrity.selectors import blocking_flags
from apps.jobs.models import Job
from apps.jobs.services import stop_live_job
from apps.labeling.models import Qualification
from apps.labeling.weights import post_weights
from apps.quality.models import ItemAggregate
from apps.quality.selectors import job_labels
from apps.reputation.models import Reputation
from apps.rewards.models import Settlement
from apps.rewards.screening import review_flag
from apps.rewards.settlement import settle_job
from apps.storage.selectors import read_blob
from tests.chain_fixtures import stop_on_chain
from tests.factories import make_user
from tests.rewards.conftest import GOLD, N_ITEMS, TRUTH


def settle(job) -> tuple[dict, list[int]]:
    assert stop_live_job(job_id=job.pk)
    stop_on_chain(job)
    settlement = settle_job(job_id=job.pk)
    if settlement.step == Settlement.Step.HELD:  # a skewed crowd trips integrity signals: the requester approves
        for flag in blocking_flags(job_id=job.pk):
            review_flag(flag_id=flag.pk, reviewer=job.requester, status="approved", note="test crowd")
        settlement = settle_job(job_id=job.pk)
    assert settlement.step == Settlement.Step.DONE
    return json.loads(read_blob(settlement.report_cid)), settlement


@pytest.mark.parametrize("method", [choice for choice, _ in Job.AggregationMethod.choices])
def test_each_method_settles(method, labelled_job):
    job, chain_job, _ = labelled_job
    Job.objects.filter(pk=job.pk).update(aggregation_method=method)
    report, _ = settle(job)
    assert report["method"] == method
    assert set(ItemAggregate.objects.filter(item__job=job).values_list("method", flat=True)) == {method}
    # This crowd is easy: two careful workers whose errors never agree. Every method finds the truth.
    assert [chain_job.instance.functions.truth(i).call() for i in range(N_ITEMS)] == TRUTH
    assert (report["worker_weights"] is not None) == (method == "weighted_majority")


def test_weighted_majority_follows_the_weights_and_matches_the_chain(labelled_job):
    job, chain_job, accounts = labelled_job
    Job.objects.filter(pk=job.pk).update(aggregation_method=Job.AggregationMethod.WEIGHTED_MAJORITY)
    job.refresh_from_db()
    weights = dict(zip((a.address for a in accounts), (1, 1, 1, 16)))  # the always-0 spammer outvotes the rest
    for address, weight in weights.items():
        worker = make_user(address)
        Reputation.objects.create(worker=worker, domain="", score=0.5, weight=weight)
        Qualification.objects.create(job=job, worker=worker, passed=True, admitted_tx="0x1")
    assert post_weights(job=job) is not None
    assert post_weights(job=job) is None  # idempotent: the chain has them now

    labels = job_labels(job=job)  # what settlement aggregates: the DB's weights per worker
    db_tallies = np.zeros((N_ITEMS, 3))
    np.add.at(db_tallies, (labels.items, labels.labels), labels.worker_weights[labels.workers])
    chain_tallies = [chain_job.instance.functions.weightedTally(i).call() for i in range(N_ITEMS)]
    assert np.array_equal(db_tallies, np.array(chain_tallies))

    report, _ = settle(job)
    address_of = {make_user(a).pk: a for a in weights}
    assert report["worker_weights"] == [weights[address_of[pk]] for pk in labels.worker_ids]
    truth = [chain_job.instance.functions.truth(i).call() for i in range(N_ITEMS)]
    assert truth == [GOLD[i] if i in GOLD else int(np.argmax(chain_tallies[i])) for i in range(N_ITEMS)]
    assert truth[6:] == [0] * (N_ITEMS - 6)  # gold keeps its answer; elsewhere the heavy vote wins
