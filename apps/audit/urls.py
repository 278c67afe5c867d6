from django.urls import path

from apps.audit import api, views

api_patterns = (
    [
        path("jobs/<int:job_id>/audit", api.AuditApi.as_view(), name="json"),
        path("jobs/<int:job_id>/audit.csv", api.AuditCsvApi.as_view(), name="csv"),
    ],
    "audit-api",
)
page_patterns = ([path("requester/jobs/<int:job_id>/audit", views.audit_page, name="page")], "audit")
