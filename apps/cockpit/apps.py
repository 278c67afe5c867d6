from django.apps import AppConfig


class CockpitConfig(AppConfig):
    """The requester's cockpit: job pages and dashboard, exports, and the requester's controls
    (create, import, fund, stop, pauses, minimum tier, settle, refund, flag review)."""

    name = "apps.cockpit"
    label = "cockpit"

    def ready(self) -> None:
        from apps.chain.handlers import register
        from apps.cockpit.consumers import push_for_event, push_for_job_event
        from apps.jobs.events import JobStopped, JobWentLive
        from apps.labeling.events import LabelsConfirmed, LabelsUnconfirmed
        from apps.learning.events import ModelVersionCreated
        from apps.lib.events import subscribe
        from apps.rewards.events import SettlementProgressed, SettlementSettled

        # The dashboard (a requester's view over every app) listens to the facts that change its numbers.
        for event_type in (
            JobWentLive,
            LabelsConfirmed,
            LabelsUnconfirmed,
            JobStopped,
            ModelVersionCreated,
            SettlementProgressed,
            SettlementSettled,
        ):
            subscribe(event_type, push_for_job_event)
        for event_name in ("PayoutRootPosted", "Refunded"):
            register(event_name, push_for_event)
