"""Only the job's requester and staff see its audit; a stranger gets 404 (the job's existence is not
revealed), the signed-out get 403 / the sign-in page, and an unsettled job's audit answers 409."""

import pytest
from django.contrib.auth import get_user_model

from tests.factories import make_job, make_user

pytestmark = pytest.mark.django_db

URLS = ("/api/jobs/{}/audit", "/api/jobs/{}/audit.csv", "/requester/jobs/{}/audit")


@pytest.fixture
def stopped_job():
    return make_job(requester=make_user("0x" + "41" * 20), status="stopped", instance_address="0x" + "cd" * 20)


@pytest.mark.parametrize("url", URLS)
def test_strangers_get_404(stopped_job, client, url):
    client.force_login(make_user("0x" + "42" * 20))
    assert client.get(url.format(stopped_job.pk)).status_code == 404
    assert client.get(url.format(stopped_job.pk + 1000)).status_code == 404


@pytest.mark.parametrize("url", URLS)
def test_signed_out_is_refused(stopped_job, client, url):
    response = client.get(url.format(stopped_job.pk))
    if url.startswith("/api/"):
        assert response.status_code == 403
    else:
        assert response.status_code == 302 and "/signin" in response["Location"]


@pytest.mark.parametrize("url", URLS)
def test_the_requester_and_staff_hear_that_the_job_is_not_settled(stopped_job, client, url):
    staff = get_user_model().objects.create(address="0x" + "43" * 20, is_staff=True)
    for user in (stopped_job.requester, staff):
        client.force_login(user)
        response = client.get(url.format(stopped_job.pk))
        assert response.status_code == 409
        assert "its audit follows settlement" in response.content.decode()


def test_staff_audit_a_settled_job(settled_job, client):
    staff = get_user_model().objects.create(address="0x" + "44" * 20, is_staff=True)
    client.force_login(staff)
    assert client.get(f"/api/jobs/{settled_job.job.pk}/audit").json()["anomalies"] == []


def test_a_csv_client_hears_the_refusal_too(stopped_job, client):
    client.force_login(stopped_job.requester)
    response = client.get(f"/api/jobs/{stopped_job.pk}/audit.csv", HTTP_ACCEPT="text/csv")
    assert response.status_code == 409 and b"its audit follows settlement" in response.content
