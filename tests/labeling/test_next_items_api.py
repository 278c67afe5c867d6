"""The next-items endpoint is a plain Django view (not DRF): it must keep the API's session auth,
CSRF, access control and input checks."""

from django.test import Client

from apps.labeling.models import Qualification
from tests.factories import make_user
from tests.labeling.conftest import make_db_job

ADDRESS = "0x" + "11" * 20
CSRF = "c" * 32


def test_next_items_auth_csrf_access_and_input(db):
    job = make_db_job(requester=make_user("0x" + "22" * 20), instance_address="0x" + "33" * 20)
    url = f"/api/jobs/{job.pk}/next-items"

    anonymous = Client()
    assert anonymous.post(url, {"count": 1}, content_type="application/json").status_code == 403

    labeler = make_user(ADDRESS)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(labeler)
    browser.cookies["csrftoken"] = CSRF
    assert browser.post(url, {"count": 1}, content_type="application/json").status_code == 403  # no CSRF token
    csrf = {"HTTP_X_CSRFTOKEN": CSRF}
    reply = browser.post(url, {"count": 1}, content_type="application/json", **csrf)
    assert reply.status_code == 403 and "admitted" in reply.json()["detail"]  # signed in, not admitted

    Qualification.objects.create(job=job, worker=labeler, passed=True, admitted_tx="0xabc", attempts=1)
    for bad in (0, 21, "x", True, [1]):
        assert browser.post(url, {"count": bad}, content_type="application/json", **csrf).status_code == 400
    assert browser.post(url, "{", content_type="application/json", **csrf).status_code == 400
    assert browser.get(url).status_code == 405
    assert browser.post("/api/jobs/999999/next-items", {}, content_type="application/json", **csrf).status_code == 404

    items = browser.post(url, {"count": 3}, content_type="application/json", **csrf).json()["items"]
    assert len(items) == 3 and set(items[0]) == {"id", "index", "media_type", "content_url", "width", "height"}
    again = browser.post(url, {"count": 3}, content_type="application/json", **csrf).json()["items"]
    assert {i["id"] for i in again} == {i["id"] for i in items}  # held leases come back, no new slots
