"""Settlement records each labeler's gold score and agreement with the final truth once, updates
its reputation in the job's domain, and posts the new voting weights to the domain's live jobs."""

import pytest

from apps.chain.client import send
from apps.jobs.models import Job
from apps.jobs.services import stop_live_job
from apps.labeling.models import Qualification
from apps.quality.selectors import job_labels
from apps.reputation.formula import reputation_score, voting_weight
from apps.reputation.models import JobEvidence, Reputation
from apps.reputation.services import record_settlement_evidence
from apps.rewards.settlement import settle_job
from tests.chain_fixtures import stop_on_chain
from tests.factories import make_job as make_db_job
from tests.factories import make_user
from tests.rewards.conftest import N_ITEMS, TRUTH, label_job_on_chain


@pytest.fixture
def settled_domain(w3, make_job, roles, django_capture_on_commit_callbacks):
    """The rewards crowd's job in domain "digits", settled, while another live "digits" job has the
    careful worker admitted."""
    job, _, accounts = label_job_on_chain(w3=w3, make_job=make_job, roles=roles)
    Job.objects.filter(pk=job.pk).update(domain="digits")
    other_chain = make_job(num_items=10, num_classes=3)
    send(other_chain.instance.functions.admitWorkers([accounts[0].address]), sender=roles.oracle)
    other = make_db_job(
        requester=job.requester,
        num_items=10,
        status=Job.Status.LIVE,
        domain="digits",
        instance_address=other_chain.instance.address,
    )
    Qualification.objects.create(job=other, worker=make_user(accounts[0].address), passed=True, admitted_tx="0x1")
    assert stop_live_job(job_id=job.pk)
    stop_on_chain(job)
    with django_capture_on_commit_callbacks(execute=True):
        settle_job(job_id=job.pk)
    return job, other_chain, accounts


def test_settlement_updates_reputation_per_domain(settled_domain):
    job, _, (careful, careful2, sloppy, spammer) = settled_domain
    rows = {r.worker.address: r for r in Reputation.objects.select_related("worker")}
    assert set(rows) == {a.address for a in (careful, careful2, sloppy, spammer)}
    assert {r.domain for r in rows.values()} == {"digits"}
    # Gold items 0..5; the careful worker's 3 errors are on non-gold items, the spammer answers 0.
    first = rows[careful.address]
    assert (first.gold_answered, first.gold_score, first.truth_answered, first.truth_agreed) == (6, 6.0, 64, 61)
    spam_agreed = sum(1 for i in range(6, N_ITEMS) if TRUTH[i] == 0)
    last = rows[spammer.address]
    assert (last.gold_answered, last.gold_score, last.truth_answered, last.truth_agreed) == (6, 2.0, 64, spam_agreed)
    for row in rows.values():
        expected = reputation_score(
            gold_answered=row.gold_answered,
            gold_score=row.gold_score,
            truth_answered=row.truth_answered,
            truth_agreed=row.truth_agreed,
        )
        assert row.score == pytest.approx(expected) and row.weight == voting_weight(expected)
    assert first.weight == 16 and last.weight == 1


def test_evidence_is_recorded_once(settled_domain):
    job, _, _ = settled_domain
    before = list(Reputation.objects.order_by("pk").values_list("score", "gold_answered", "truth_answered"))
    settle_job(job_id=job.pk)  # resumes a finished settlement: nothing again
    assert record_settlement_evidence(job=job, labels=job_labels(job=job), truth=TRUTH) == []
    assert JobEvidence.objects.filter(job=job).count() == 4
    assert list(Reputation.objects.order_by("pk").values_list("score", "gold_answered", "truth_answered")) == before


def test_new_weights_reach_the_domains_live_jobs_on_chain(settled_domain):
    _, other_chain, (careful, _, _, spammer) = settled_domain
    assert other_chain.instance.functions.weightOf(careful.address).call() == 16
    assert other_chain.instance.functions.weightOf(spammer.address).call() == 1  # not admitted there: untouched
