"""An anonymous job is created like any other, with `anonymous: true`; the flag is returned, the
default is a wallet job, and the board marks anonymous jobs."""

from apps.jobs.models import Job
from tests.jobs.test_create_job import terms


def test_create_anonymous_job(requester):
    response = requester.api.post("/api/jobs/", terms(anonymous=True), format="json")
    assert response.status_code == 201, response.data
    assert response.data["anonymous"] is True and Job.objects.get(pk=response.data["id"]).anonymous


def test_jobs_are_not_anonymous_by_default(requester):
    response = requester.api.post("/api/jobs/", terms(), format="json")
    assert response.data["anonymous"] is False


def test_anonymous_must_be_a_boolean(requester):
    response = requester.api.post("/api/jobs/", terms(anonymous="maybe"), format="json")
    assert response.status_code == 400 and "anonymous" in response.data
    assert not Job.objects.exists()


def test_board_marks_anonymous_jobs(requester, client):
    for anonymous in (True, False):
        job = Job.objects.get(pk=requester.api.post("/api/jobs/", terms(anonymous=anonymous), format="json").data["id"])
        Job.objects.filter(pk=job.pk).update(status=Job.Status.LIVE)
    page = client.get("/jobs/").content.decode()
    assert page.count("data-anonymous-badge") == 1
