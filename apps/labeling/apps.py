from django.apps import AppConfig


class LabelingConfig(AppConfig):
    """Label records, label batches (wallet transaction or relayed EIP-712), next-item serving."""

    name = "apps.labeling"
    label = "labeling"
