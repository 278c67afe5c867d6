from django.apps import AppConfig


class JobsConfig(AppConfig):
    """Jobs, their classes and items (gold answers kept apart), import/export and the job life cycle."""

    name = "apps.jobs"
    label = "jobs"
