"""The rewards endpoints are routed, need a signed-in wallet, and answer only for the caller."""

import pytest

from apps.jobs.models import Job
from apps.rewards.models import Payout
from tests.contracts.support import settle_root
from tests.factories import make_job, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def make_chain_job(make_job):
    """The chain fixture make_job under another name: this module's make_job is the database factory."""
    return make_job


def test_claim_needs_sign_in_and_serves_only_the_callers_leaf(client, w3, deployed, make_chain_job, roles):
    chain_job = make_chain_job()
    job = make_job(
        requester=make_user(roles.requester.address),
        num_items=2,
        status=Job.Status.SETTLED,
        instance_address=chain_job.instance.address,
    )
    worker, other = make_user("0x" + "01" * 20), make_user("0x" + "02" * 20)
    Payout.objects.create(job=job, worker=worker, index=0, amount=5 * 10**18, proof=["0x" + "33" * 32])

    assert client.get(f"/api/jobs/{job.pk}/claim").status_code == 403
    client.force_login(other)
    assert client.get(f"/api/jobs/{job.pk}/claim").status_code == 404
    client.force_login(worker)
    claim = client.get(f"/api/jobs/{job.pk}/claim").json()
    assert claim["index"] == 0 and claim["amount"] == str(5 * 10**18) and claim["proof"] == ["0x" + "33" * 32]
    assert (claim["claims_open_at"], claim["claimable"]) == (0, False)  # no root on chain yet

    settle_root(chain_job, roles.oracle, b"\x07" * 32, 5 * 10**18)
    claim = client.get(f"/api/jobs/{job.pk}/claim").json()
    opened = w3.eth.get_block("latest")["timestamp"]  # the embedded dispute window is 0
    assert claim["claims_open_at"] == opened and claim["claimable"] is True
    assert claim["claim_deadline"] == opened + chain_job.instance.functions.CLAIM_PERIOD().call()


def test_stop_call_is_the_requesters(client, w3, deployed, make_chain_job, roles):
    chain_job = make_chain_job()
    requester = make_user(roles.requester.address)
    job = make_job(
        requester=requester, num_items=2, status=Job.Status.LIVE, instance_address=chain_job.instance.address
    )
    client.force_login(make_user("0x" + "01" * 20))
    assert client.get(f"/api/jobs/{job.pk}/stop-call").status_code == 404
    client.force_login(requester)
    call = client.get(f"/api/jobs/{job.pk}/stop-call").json()
    assert call["to"] == chain_job.instance.address
    assert call["data"] == chain_job.instance.encode_abi("stop", args=[])


def test_refund_call_is_for_the_requester_of_a_settled_job_only(client):
    requester = make_user("0x" + "aa" * 20)
    job = make_job(requester=requester, num_items=2, status=Job.Status.STOPPED)
    client.force_login(make_user("0x" + "01" * 20))
    assert client.get(f"/api/jobs/{job.pk}/refund").status_code == 404
    client.force_login(requester)
    assert client.get(f"/api/jobs/{job.pk}/refund").status_code == 409  # not settled yet
