"""A job's quality settings through the create API: qualification attempts and wait, domain,
honeypot minimum and aggregation method; defaults when left out, refusals for bad values."""

import pytest

from apps.jobs.models import Job
from tests.jobs.test_create_job import terms


def test_quality_settings_are_stored_and_returned(requester):
    settings = {
        "qualification_max_attempts": 2,
        "qualification_wait_seconds": 300,
        "domain": "digits",
        "honeypot_min": 8,
        "aggregation_method": "weighted_majority",
    }
    response = requester.api.post("/api/jobs/", terms(**settings), format="json")
    assert response.status_code == 201, response.data
    job = Job.objects.get(pk=response.data["id"])
    assert {name: getattr(job, name) for name in settings} == settings
    assert {name: response.data[name] for name in settings} == settings


def test_defaults(requester):
    response = requester.api.post("/api/jobs/", terms(), format="json")
    job = Job.objects.get(pk=response.data["id"])
    assert (job.qualification_max_attempts, job.qualification_wait_seconds) == (3, 600)
    assert (job.domain, job.honeypot_min) == ("", 5)
    assert job.aggregation_method == "anchored_dawid_skene"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("aggregation_method", "median"),
        ("qualification_max_attempts", 0),
        ("qualification_wait_seconds", -1),
        ("domain", "two words"),
        ("honeypot_min", 0),
    ],
)
def test_bad_settings_are_refused_and_nothing_is_created(requester, field, value):
    response = requester.api.post("/api/jobs/", terms(**{field: value}), format="json")
    assert response.status_code == 400 and field in response.data
    assert not Job.objects.exists()
