from django.apps import AppConfig


class LabelingConfig(AppConfig):
    """Label records, label batches (wallet transaction or relayed EIP-712), next-item serving."""

    name = "apps.labeling"
    label = "labeling"

    def ready(self) -> None:
        from apps.chain.handlers import register
        from apps.labeling.confirmation import confirm_labels, unconfirm_labels
        from apps.labeling.weights import post_changed_weights
        from apps.lib.events import subscribe
        from apps.reputation.events import ReputationChanged

        register("LabelsSubmitted", confirm_labels, undo=unconfirm_labels)
        subscribe(ReputationChanged, post_changed_weights)
