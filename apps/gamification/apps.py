from django.apps import AppConfig


class GamificationConfig(AppConfig):
    """Points, badges, tiers (which gate higher-paying jobs) and the leaderboard."""

    name = "apps.gamification"
    label = "gamification"

    def ready(self) -> None:
        from apps.gamification import handlers
        from apps.gamification.selectors import tier_lock
        from apps.labeling.events import LabelsConfirmed, LabelsUnconfirmed
        from apps.labeling.gates import register_gate
        from apps.lib.events import subscribe
        from apps.rewards.events import SettlementSettled

        register_gate(tier_lock)

        subscribe(LabelsConfirmed, handlers.refresh_labeler)
        subscribe(LabelsUnconfirmed, handlers.refresh_labeler)
        subscribe(SettlementSettled, handlers.refresh_job_labelers)
