"""The rewards endpoints are routed, need a signed-in wallet, and answer only for the caller."""
import pytest

from apps.jobs.models import Job
from apps.rewards.models import Payout
from tests.factories import make_job, make_user

pytestmark = pytest.mark.django_db


def test_claim_needs_sign_in_and_serves_only_the_callers_leaf(client):
    job = make_job(requester=make_user("0x" + "aa" * 20), num_items=2, status=Job.Status.SETTLED)
    worker, other = make_user("0x" + "01" * 20), make_user("0x" + "02" * 20)
    Payout.objects.create(job=job, worker=worker, index=0, amount=5 * 10**18, proof=["0x" + "33" * 32])

    assert client.get(f"/api/jobs/{job.pk}/claim").status_code == 403
    client.force_login(other)
    assert client.get(f"/api/jobs/{job.pk}/claim").status_code == 404
    client.force_login(worker)
    claim = client.get(f"/api/jobs/{job.pk}/claim").json()
    assert claim["index"] == 0 and claim["amount"] == str(5 * 10**18) and claim["proof"] == ["0x" + "33" * 32]


def test_refund_call_is_for_the_requester_of_a_settled_job_only(client):
    requester = make_user("0x" + "aa" * 20)
    job = make_job(requester=requester, num_items=2, status=Job.Status.STOPPED)
    client.force_login(make_user("0x" + "01" * 20))
    assert client.get(f"/api/jobs/{job.pk}/refund").status_code == 404
    client.force_login(requester)
    assert client.get(f"/api/jobs/{job.pk}/refund").status_code == 409  # not settled yet
