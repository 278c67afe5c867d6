"""Only a job's requester sees, changes or exports it; signed-out callers get nothing."""

import pytest
from rest_framework.test import APIClient

from apps.jobs.models import Job
from tests.factories import make_job

TX = "0x" + "ab" * 32


@pytest.fixture
def job(requester) -> Job:
    return make_job(requester=requester.user, num_items=4, gold={0: 1}, status=Job.Status.LIVE)


def endpoints(job: Job) -> list[tuple[str, str, dict]]:
    base = f"/api/jobs/{job.pk}"
    return [
        ("get", base, {}),
        ("post", f"{base}/import", {"files": []}),
        ("get", f"{base}/funding", {}),
        ("post", f"{base}/funding", {"tx_hash": TX}),
        ("post", f"{base}/stop", {}),
        ("get", f"{base}/export/csv", {}),
        ("get", f"{base}/export/jsonl", {}),
    ]


def test_another_wallet_gets_404_everywhere(job, stranger):
    for method, url, data in endpoints(job):
        response = getattr(stranger.api, method)(url, data)
        assert response.status_code == 404, (method, url)
    job.refresh_from_db()
    assert job.status == Job.Status.LIVE


def test_signed_out_callers_are_refused_everywhere(job):
    anonymous = APIClient()
    for method, url, data in [*endpoints(job), ("get", "/api/jobs/", {}), ("post", "/api/jobs/faucet", {})]:
        response = getattr(anonymous, method)(url, data)
        assert response.status_code == 403, (method, url)


def test_job_list_holds_only_the_callers_jobs(job, stranger):
    make_job(requester=stranger.user, name="Stranger's job")

    assert [j["name"] for j in stranger.api.get("/api/jobs/").data] == ["Stranger's job"]


def test_pages_need_sign_in_and_hide_other_requesters_jobs(job, client, stranger):
    for url in ("/requester/jobs/", "/requester/jobs/new", f"/requester/jobs/{job.pk}/"):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith("/signin"), url
    client.force_login(stranger.user)
    assert client.get(f"/requester/jobs/{job.pk}/").status_code == 404


def test_job_detail_reveals_no_gold_answers(job, requester):
    data = requester.api.get(f"/api/jobs/{job.pk}").data

    assert data["progress"]["gold_items"] == 1
    assert "gold_answer" not in str(data) and "label_index" not in str(data)
