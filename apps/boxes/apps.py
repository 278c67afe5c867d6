from django.apps import AppConfig


class BoxesConfig(AppConfig):
    name = "apps.boxes"
    label = "boxes"

    def ready(self) -> None:
        from apps.boxes.kind import BOUNDING_BOX
        from apps.boxes.services import confirm_boxes
        from apps.chain.handlers import register
        from apps.jobs.kinds import register_kind
        from apps.labeling.confirmation import unconfirm_labels

        register_kind(BOUNDING_BOX)

        # A box vote is a label batch too: a reorganisation puts it back to pending like any other.
        register("BoxesSubmitted", confirm_boxes, undo=unconfirm_labels)
