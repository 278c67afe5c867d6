from django.apps import AppConfig


class JobsConfig(AppConfig):
    """Jobs, their classes and items (gold answers kept apart), importers, task kinds and the job life cycle."""

    name = "apps.jobs"
    label = "jobs"

    def ready(self) -> None:
        from apps.chain.handlers import register
        from apps.jobs.services import on_job_created

        register("JobCreated", on_job_created)
