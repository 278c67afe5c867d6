"""The OpenAPI schema publishes the review-queue endpoints with their input and output shapes."""

import pytest

from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_schema_lists_the_review_queue(client):
    client.force_login(make_user("0x" + "ab" * 20))
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    flags, review = schema["paths"]["/api/jobs/{job_id}/flags"], schema["paths"]["/api/flags/{flag_id}/review"]
    assert set(flags) >= {"get", "post"}
    body = review["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert set(schema["components"]["schemas"][body]["required"]) == {"decision", "note"}
    queue = flags["get"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert {"held", "hold_reason", "flags"} <= set(schema["components"]["schemas"][queue]["properties"])
