"""The OpenAPI schema publishes the requester API."""


def test_schema_lists_the_job_endpoints(requester):
    response = requester.api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in ("/api/jobs/", "/api/jobs/{job_id}", "/api/jobs/{job_id}/import", "/api/jobs/{job_id}/funding",
                 "/api/jobs/{job_id}/stop", "/api/jobs/{job_id}/export/{fmt}"):  # fmt: skip
        assert path in paths, path
