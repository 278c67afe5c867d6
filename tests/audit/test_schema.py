"""The OpenAPI schema publishes the audit export and the gamification API with their serializers."""


def test_schema_lists_audit_and_gamification(client, django_user_model):
    client.force_login(django_user_model.objects.create(address="0x" + "51" * 20))
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    paths = schema["paths"]
    assert "text/csv" in paths["/api/jobs/{job_id}/audit.csv"]["get"]["responses"]["200"]["content"]
    for path in ("/api/jobs/{job_id}/audit", "/api/gamification/me", "/api/gamification/leaderboard",
                 "/api/jobs/{job_id}/min-tier"):  # fmt: skip
        assert path in paths, path
    for component in ("JobAudit", "LabelerProgress", "LeaderboardRow", "JobMinTier"):
        assert component in schema["components"]["schemas"], component
