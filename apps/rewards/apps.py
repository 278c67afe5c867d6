from django.apps import AppConfig


class RewardsConfig(AppConfig):
    """Settlement (truth and payout root on chain), claims, refunds and labelers' balances."""

    name = "apps.rewards"
    label = "rewards"

    def ready(self) -> None:
        from apps.chain.handlers import register
        from apps.jobs.events import JobStopped
        from apps.labeling.events import LabelsConfirmed
        from apps.learning.events import ModelVersionCreated
        from apps.lib.events import subscribe
        from apps.rewards import handlers

        subscribe(LabelsConfirmed, handlers.check_budget_spent)  # class, box and anonymous votes alike
        # A settlement waiting for batches in flight at the stop goes on as they confirm.
        subscribe(LabelsConfirmed, handlers.resume_waiting_settlement)
        subscribe(ModelVersionCreated, handlers.check_target_accuracy)
        subscribe(JobStopped, handlers.settle_stopped)
        register("Claimed", handlers.mark_claimed, undo=handlers.unmark_claimed)
        register("Refunded", handlers.mark_refunded)
