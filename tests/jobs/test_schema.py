"""The OpenAPI schema publishes the requester API."""


def test_schema_lists_the_job_endpoints(requester):
    response = requester.api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in ("/api/jobs/", "/api/jobs/{job_id}", "/api/jobs/{job_id}/import", "/api/jobs/{job_id}/funding",
                 "/api/jobs/{job_id}/stop", "/api/jobs/{job_id}/export/{fmt}"):  # fmt: skip
        assert path in paths, path


def test_schema_describes_next_items(requester):
    """next-items is a plain Django view; a hook publishes it with the limits the view enforces."""
    from apps.labeling.api import MAX_PREFETCH

    schema = requester.api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    operation = schema["paths"]["/api/jobs/{job_id}/next-items"]["post"]
    count = operation["requestBody"]["content"]["application/json"]["schema"]["properties"]["count"]
    assert (count["minimum"], count["maximum"]) == (1, MAX_PREFETCH)
    item = operation["responses"]["200"]["content"]["application/json"]["schema"]["properties"]["items"]["items"]
    assert set(item["required"]) == {"id", "index", "media_type", "content_url", "width", "height"}
    assert {"400", "403", "404"} <= set(operation["responses"])
