"""The relay refuses, before it asks the chain anything (so before any gas), a label for a closed
job, an item the job does not have (a gold item is not refused: that would point it out), a class the job does not have, a
nullifier already used in the job (this identity labelled the item), and a malformed proof; and it
takes no session: a request with the labeler's cookies is treated like any other."""

import pytest

from apps.anonymity.models import AnonymousLabel
from apps.jobs.models import Item, Job
from tests.anonymity.conftest import NULLIFIER, proof_body


def relay(client, job, body):
    return client.post(f"/api/anon/jobs/{job.pk}/labels", body, format="json")


@pytest.fixture(autouse=True)
def no_chain(monkeypatch):
    """Every refusal here must come before the chain is touched."""

    def touched(*args, **kwargs):
        raise AssertionError("the relay asked the chain about a request it should have refused")

    monkeypatch.setattr("apps.chain.semaphore.check_label_proof", touched)
    monkeypatch.setattr("apps.chain.semaphore.submit_label_proof", touched)


def test_closed_job(anonymous_job, no_session):
    Job.objects.filter(pk=anonymous_job.pk).update(status=Job.Status.STOPPED)
    reply = relay(no_session, anonymous_job, proof_body(job=anonymous_job, item=10, label=1))
    assert reply.status_code == 403 and "closed" in reply.json()["detail"]


def test_job_not_anonymous(anonymous_job, no_session):
    Job.objects.filter(pk=anonymous_job.pk).update(anonymous=False)
    assert relay(no_session, anonymous_job, proof_body(job=anonymous_job, item=10, label=1)).status_code == 404


def test_unknown_items(anonymous_job, no_session):
    reply = relay(no_session, anonymous_job, proof_body(job=anonymous_job, item=500, label=1))
    assert reply.status_code == 400 and "not an item" in reply.json()["detail"]


def test_unknown_class(anonymous_job, no_session):
    reply = relay(no_session, anonymous_job, proof_body(job=anonymous_job, item=10, label=7))
    assert reply.status_code == 400 and "Class 7" in reply.json()["detail"]


def test_nullifier_used(anonymous_job, no_session):
    item = Item.objects.get(job=anonymous_job, index=10)
    AnonymousLabel.objects.create(job=anonymous_job, item=item, label_index=0, nullifier=str(NULLIFIER))
    reply = relay(no_session, anonymous_job, proof_body(job=anonymous_job, item=10, label=1))
    assert reply.status_code == 409 and "labelled this item already" in reply.json()["detail"]
    assert AnonymousLabel.objects.count() == 1


def test_malformed_proofs(anonymous_job, no_session):
    good = proof_body(job=anonymous_job, item=10, label=1)
    bad_proofs = [
        {**good, "points": good["points"][:7]},
        {**good, "nullifier": "0"},
        {**good, "merkleTreeDepth": 0},
        {**good, "merkleTreeRoot": "-1"},
        {**good, "job": "0x" + "99" * 20},  # a proof for another job
        {key: value for key, value in good.items() if key != "nullifier"},
    ]
    for proof in bad_proofs:
        assert relay(no_session, anonymous_job, proof).status_code == 400, proof
    assert not AnonymousLabel.objects.exists()
    assert Item.objects.get(job=anonymous_job, index=10).labels_taken == 0


def test_session_is_ignored(anonymous_job, qualified, dev_accounts):
    """The relay has no authentication: a signed-in client's request reaches the same checks, and
    nothing recorded names a wallet."""
    labeler = qualified(anonymous_job, dev_accounts[3])
    Job.objects.filter(pk=anonymous_job.pk).update(status=Job.Status.STOPPED)
    assert relay(labeler.api, anonymous_job, proof_body(job=anonymous_job, item=10, label=1)).status_code == 403
    assert not [f.name for f in AnonymousLabel._meta.get_fields() if f.name in ("worker", "user", "address")]
