"""The requester pages render the requester's own jobs."""

from apps.jobs.models import Job
from tests.factories import make_job


def test_my_jobs_lists_the_requesters_jobs(client, requester):
    make_job(requester=requester.user, name="Birds of the park", num_items=2, budget=25 * 10**18)
    client.force_login(requester.user)

    page = client.get("/requester/jobs/").content.decode()

    assert "Birds of the park" in page and "25 CROWD" in page


def test_job_page_offers_import_and_funding_to_a_draft(client, requester):
    job = make_job(requester=requester.user, num_items=0)
    client.force_login(requester.user)

    page = client.get(f"/requester/jobs/{job.pk}/").content.decode()

    assert "data-import-form" in page and "data-fund" in page and "data-stop" not in page


def test_live_job_page_offers_stop(client, requester):
    job = make_job(requester=requester.user, status=Job.Status.LIVE)
    client.force_login(requester.user)

    page = client.get(f"/requester/jobs/{job.pk}/").content.decode()

    assert "data-stop" in page and "data-import-form" not in page
