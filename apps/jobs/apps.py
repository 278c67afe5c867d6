from django.apps import AppConfig


class JobsConfig(AppConfig):
    """Jobs, their classes and items (gold answers kept apart), import/export and the job life cycle."""

    name = "apps.jobs"
    label = "jobs"

    def ready(self) -> None:
        from apps.chain.handlers import register
        from apps.jobs.consumers import push_for_event, push_for_job_event
        from apps.jobs.events import JobStopped
        from apps.jobs.services import on_job_created
        from apps.labeling.events import LabelsConfirmed, LabelsUnconfirmed
        from apps.learning.events import ModelVersionCreated
        from apps.lib.events import subscribe
        from apps.rewards.events import SettlementProgressed, SettlementSettled

        register("JobCreated", on_job_created)  # before the push, which finds the job it made live
        for event_name in ("JobCreated", "PayoutRootPosted", "Refunded"):
            register(event_name, push_for_event)
        # The dashboard (a requester's view over every app) listens to the facts that change its numbers.
        for event_type in (
            LabelsConfirmed, LabelsUnconfirmed, JobStopped, ModelVersionCreated, SettlementProgressed, SettlementSettled
        ):
            subscribe(event_type, push_for_job_event)
