"""Every refusal under /api/ is JSON, Django's own too (issue 16): a missing CSRF token, an anonymous
call to a plain (non-DRF) labeler endpoint, the node away (503 with Retry-After), a bug in a plain
view (a logged 500). And logs are JSON lines on stderr with the traceback, whatever DEBUG says."""

import json
import logging

import pytest
import requests
from django.test import Client

from apps.lib.errors import ApiErrorMiddleware, api_exception_handler
from apps.lib.logging import JsonFormatter
from tests.factories import make_job, make_user


@pytest.fixture
def live_job(db):
    return make_job(
        requester=make_user("0x" + "aa" * 20), num_items=2, status="live", instance_address="0x" + "bb" * 20
    )


def test_an_anonymous_call_without_a_csrf_token_answers_json(live_job):
    reply = Client(enforce_csrf_checks=True).post(
        f"/api/jobs/{live_job.pk}/next-items", {}, content_type="application/json"
    )
    assert reply.status_code == 403 and reply["Content-Type"] == "application/json"
    assert reply.json()["code"] == "not_authenticated"


def test_a_signed_in_call_without_a_csrf_token_answers_json(live_job):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("0x" + "cc" * 20))
    reply = client.post(f"/api/jobs/{live_job.pk}/next-items", {}, content_type="application/json")
    assert reply.status_code == 403 and reply.json()["code"] == "csrf_failed" and "CSRF" in reply.json()["detail"]


def test_a_page_keeps_djangos_csrf_page(db):
    reply = Client(enforce_csrf_checks=True).post("/admin/login/", {"username": "a", "password": "b"})
    assert reply.status_code == 403 and reply["Content-Type"].startswith("text/html")


def test_the_node_away_answers_503_with_a_retry_hint_from_drf_and_plain_views(rf):
    refused = requests.exceptions.ConnectionError("Max retries exceeded")
    response = api_exception_handler(refused, {})
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert response.data["code"] == "unavailable" and "unreachable" in response.data["detail"]

    plain = ApiErrorMiddleware(lambda r: None).process_exception(rf.post("/api/jobs/1/next-items"), refused)
    assert (
        plain.status_code == 503 and plain["Retry-After"] == "5" and json.loads(plain.content)["code"] == "unavailable"
    )


def test_a_bug_in_a_plain_api_view_is_a_json_500_logged_with_its_traceback(rf, caplog):
    try:
        1 / 0  # noqa: B018  (the error to report)
    except ZeroDivisionError as error:
        bug = error
    with caplog.at_level(logging.ERROR, logger="apps.lib.errors"):
        response = ApiErrorMiddleware(lambda r: None).process_exception(rf.post("/api/jobs/1/next-items"), bug)
    assert response.status_code == 500 and json.loads(response.content)["code"] == "server_error"
    (record,) = [r for r in caplog.records if r.name == "apps.lib.errors"]
    line = json.loads(JsonFormatter().format(record))
    assert line["level"] == "ERROR" and "ZeroDivisionError" in line["traceback"] and "1 / 0" in line["traceback"]
    # Outside /api/ Django's own handling (its 500 page) is left alone.
    assert ApiErrorMiddleware(lambda r: None).process_exception(rf.get("/jobs/1/"), bug) is None


def test_production_logging_sends_request_errors_to_stderr_as_json(settings):
    from logging.config import dictConfig

    dictConfig(settings.LOGGING)
    handlers = logging.getLogger().handlers
    assert any(isinstance(h, logging.StreamHandler) and isinstance(h.formatter, JsonFormatter) for h in handlers)
    request_logger = logging.getLogger("django.request")
    assert request_logger.propagate and request_logger.getEffectiveLevel() <= logging.ERROR
    assert not settings.DEBUG  # the test settings run as production does
