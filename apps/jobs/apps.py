from django.apps import AppConfig


class JobsConfig(AppConfig):
    """Jobs, their classes and items (gold answers kept apart), import/export and the job life cycle."""

    name = "apps.jobs"
    label = "jobs"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from apps.chain.handlers import register
        from apps.jobs.consumers import push_for_event, push_for_model_version
        from apps.jobs.services import on_job_created
        from apps.learning.models import ModelVersion

        register("JobCreated", on_job_created)  # before the push, which finds the job it made live
        for event_name in ("JobCreated", "LabelsSubmitted", "PayoutRootPosted", "Refunded"):
            register(event_name, push_for_event)
        post_save.connect(push_for_model_version, sender=ModelVersion, dispatch_uid="jobs-dashboard-model-version")
