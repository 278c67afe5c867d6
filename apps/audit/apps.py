from django.apps import AppConfig


class AuditConfig(AppConfig):
    """A settled job's audit: every token paid traced to verified labels on chain, and the anomalies."""

    name = "apps.audit"
    label = "audit"
