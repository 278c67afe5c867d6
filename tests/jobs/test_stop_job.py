"""The requester stops a live job by hand; settlement takes STOPPED jobs from there."""

from apps.jobs.models import Job
from tests.factories import make_job


def test_requester_stops_a_live_job(requester):
    job = make_job(requester=requester.user, status=Job.Status.LIVE)

    response = requester.api.post(f"/api/jobs/{job.pk}/stop")

    assert response.status_code == 200
    assert response.data["status"] == Job.Status.STOPPED
    job.refresh_from_db()
    assert job.status == Job.Status.STOPPED


def test_stopping_twice_is_harmless(requester):
    job = make_job(requester=requester.user, status=Job.Status.STOPPED)

    assert requester.api.post(f"/api/jobs/{job.pk}/stop").status_code == 200


def test_a_draft_cannot_be_stopped(requester):
    job = make_job(requester=requester.user)

    response = requester.api.post(f"/api/jobs/{job.pk}/stop")

    assert response.status_code == 400
    assert "cannot stop a job that is draft" in response.data["detail"]
