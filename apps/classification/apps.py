from django.apps import AppConfig


class ClassificationConfig(AppConfig):
    """The class-label task kinds: one class per image, one class per text."""

    name = "apps.classification"
    label = "classification"

    def ready(self) -> None:
        from apps.classification.kind import IMAGE_CLASSIFICATION, TEXT_CLASSIFICATION
        from apps.jobs.kinds import register_kind

        register_kind(IMAGE_CLASSIFICATION)
        register_kind(TEXT_CLASSIFICATION)
