"""Joining a job's anonymous group is refused, before anything is sent to the chain, to a wallet
not signed in or not qualified, for a job that is not anonymous or not open, for a second
commitment of the same wallet, for a commitment already in the group, and for a malformed one."""

from apps.anonymity.models import GroupJoin
from apps.jobs.models import Job
from tests.anonymity.conftest import COMMITMENT
from tests.factories import make_user
from tests.labeling.conftest import make_db_job


def join(client, job, commitment=COMMITMENT):
    return client.post(f"/api/jobs/{job.pk}/anonymity/join", {"commitment": str(commitment)}, format="json")


def test_not_signed_in(anonymous_job, no_session):
    assert join(no_session, anonymous_job).status_code == 403


def test_not_qualified(anonymous_job, labeler_for, dev_accounts):
    reply = join(labeler_for(dev_accounts[3]).api, anonymous_job)
    assert reply.status_code == 403 and "qualification" in reply.json()["detail"]
    assert not GroupJoin.objects.exists()


def test_job_not_anonymous(roles, qualified, dev_accounts):
    job = make_db_job(requester=make_user(roles.requester.address), instance_address="0x" + "34" * 20)
    reply = join(qualified(job, dev_accounts[3]).api, job)
    assert reply.status_code == 403 and "not anonymous" in reply.json()["detail"]


def test_job_closed(anonymous_job, qualified, dev_accounts):
    labeler = qualified(anonymous_job, dev_accounts[3])
    Job.objects.filter(pk=anonymous_job.pk).update(status=Job.Status.STOPPED)
    reply = join(labeler.api, anonymous_job)
    assert reply.status_code == 403 and "closed" in reply.json()["detail"]


def test_qualified_in_another_job_only(anonymous_job, qualified, roles, dev_accounts):
    other = make_db_job(requester=make_user(roles.requester.address), anonymous=True, instance_address="0x" + "56" * 20)
    labeler = qualified(other, dev_accounts[3])
    assert join(labeler.api, anonymous_job).status_code == 403


def test_second_commitment_of_a_wallet(anonymous_job, qualified, dev_accounts):
    labeler = qualified(anonymous_job, dev_accounts[3])
    GroupJoin.objects.create(job=anonymous_job, worker=labeler.user, commitment=str(COMMITMENT), tx_hash="0x1")
    reply = join(labeler.api, anonymous_job, COMMITMENT + 1)
    assert reply.status_code == 409 and "already" in reply.json()["detail"]
    assert GroupJoin.objects.get().commitment == str(COMMITMENT)


def test_commitment_of_another_member(anonymous_job, qualified, dev_accounts):
    first = qualified(anonymous_job, dev_accounts[3])
    GroupJoin.objects.create(job=anonymous_job, worker=first.user, commitment=str(COMMITMENT), tx_hash="0x1")
    reply = join(qualified(anonymous_job, dev_accounts[4]).api, anonymous_job)
    assert reply.status_code == 409 and "in this job's group already" in reply.json()["detail"]


def test_malformed_commitments(anonymous_job, qualified, dev_accounts):
    labeler = qualified(anonymous_job, dev_accounts[3])
    field = 21888242871839275222246405745257275088548364400416821493375094337542209846081
    for bad in ("0", str(field), "-5", "0x10", "abc"):
        reply = labeler.api.post(f"/api/jobs/{anonymous_job.pk}/anonymity/join", {"commitment": bad}, format="json")
        assert reply.status_code == 400, bad
    assert not GroupJoin.objects.exists()
