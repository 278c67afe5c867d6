from django.apps import AppConfig


class IntegrityConfig(AppConfig):
    """Fraud and sybil signals per job, the review queue of flagged workers, and the settlement hold."""

    name = "apps.integrity"
    label = "integrity"
