from django.apps import AppConfig


class IntegrityConfig(AppConfig):
    """Fraud and sybil signals per job and the flagged workers they raise (the settlement hold and the
    review decisions are settlement's: apps/rewards/screening.py)."""

    name = "apps.integrity"
    label = "integrity"
