"""The rewards page and panel, the payouts list, and the requester's settle and settlement section:
who may see and do what."""

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from apps.jobs.models import Job
from apps.rewards.models import Payout, Settlement
from apps.rewards.scheduling import SETTLEMENT_CHANNEL
from tests.factories import TOKEN, make_job, make_user

pytestmark = pytest.mark.django_db

REQUESTER, WORKER, OTHER = ("0x" + digits * 20 for digits in ("aa", "01", "02"))


@pytest.fixture
def settled_job():
    job = make_job(requester=make_user(REQUESTER), num_items=2, status=Job.Status.SETTLED, name="Birds")
    Settlement.objects.create(
        job=job,
        step=Settlement.Step.DONE,
        method="dawid_skene",
        report_cid="bafkreireport",
        root="0x" + "ab" * 32,
        total=5 * TOKEN,
    )
    Payout.objects.create(job=job, worker=make_user(WORKER), index=0, amount=5 * TOKEN, proof=[])
    return job


def test_rewards_page_needs_sign_in_and_the_board_shows_the_panel_only_when_signed_in(client):
    assert client.get("/rewards")["Location"].startswith("/signin")
    assert b"data-rewards" not in client.get("/jobs/").content
    client.force_login(make_user(WORKER))
    for url in ("/rewards", "/jobs/"):
        page = client.get(url).content
        assert b"data-rewards" in page and b"js/rewards.js" in page


def test_payouts_list_only_the_callers_own(client, settled_job):
    assert client.get("/api/rewards/payouts").status_code == 403
    client.force_login(make_user(OTHER))
    assert client.get("/api/rewards/payouts").json() == []
    assert client.get(f"/api/jobs/{settled_job.pk}/claim").status_code == 404
    client.force_login(make_user(WORKER))
    payouts = client.get("/api/rewards/payouts").json()
    assert payouts == [{"job": settled_job.pk, "name": "Birds", "amount": str(5 * TOKEN), "claimed": False}]


def test_only_the_requester_settles_and_only_a_stopped_job(client, django_capture_on_commit_callbacks, settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    job = make_job(requester=make_user(REQUESTER), num_items=2, status=Job.Status.LIVE)
    url = f"/api/jobs/{job.pk}/settle"
    assert client.post(url).status_code == 403
    client.force_login(make_user(WORKER))
    assert client.post(url).status_code == 404
    client.force_login(make_user(REQUESTER))
    assert client.post(url).status_code == 409  # live: stop it first
    Job.objects.filter(pk=job.pk).update(status=Job.Status.STOPPED)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url).status_code == 202
    message = async_to_sync(get_channel_layer().receive)(SETTLEMENT_CHANNEL)
    assert message == {"type": "rewards.settle", "job_id": job.pk}


def test_job_page_shows_the_settlement_and_offers_what_comes_next(client, settled_job):
    client.force_login(make_user(REQUESTER))
    page = client.get(f"/requester/jobs/{settled_job.pk}/").content.decode()
    assert "bafkreireport" in page and "0x" + "ab" * 32 in page and "5 CROWD" in page
    assert "data-refund" in page and "data-settle " not in page

    stopped = make_job(requester=make_user(REQUESTER), num_items=2, status=Job.Status.STOPPED)
    page = client.get(f"/requester/jobs/{stopped.pk}/").content.decode()
    assert "data-settle " in page and "Not started" in page and "data-refund" not in page

    client.force_login(make_user(WORKER))
    assert client.get(f"/requester/jobs/{settled_job.pk}/").status_code == 404
