from django.apps import AppConfig


class BoxesConfig(AppConfig):
    name = "apps.boxes"
    label = "boxes"

    def ready(self) -> None:
        from apps.boxes.kind import BOUNDING_BOX
        from apps.boxes.services import confirm_boxes, unconfirm_boxes
        from apps.chain.handlers import register
        from apps.jobs.kinds import register_kind

        register_kind(BOUNDING_BOX)
        register("BoxesSubmitted", confirm_boxes, undo=unconfirm_boxes)
