from django.apps import AppConfig


class BoxesConfig(AppConfig):
    name = "apps.boxes"
    label = "boxes"

    def ready(self) -> None:
        from apps.boxes.services import confirm_boxes, unconfirm_boxes
        from apps.chain.handlers import register

        register("BoxesSubmitted", confirm_boxes, undo=unconfirm_boxes)
