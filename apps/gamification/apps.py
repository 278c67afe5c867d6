from django.apps import AppConfig


class GamificationConfig(AppConfig):
    """Points, badges, tiers (which gate higher-paying jobs) and the leaderboard."""

    name = "apps.gamification"
    label = "gamification"

    def ready(self) -> None:
        from apps.chain.handlers import register
        from apps.gamification import handlers

        # Registered after the labeling app's confirm_labels / unconfirm_labels (INSTALLED_APPS order), so
        # it runs on the labels that handler has just confirmed (or, after a reorganisation, put back
        # to pending), inside the same transaction.
        for votes in ("LabelsSubmitted", "BoxesSubmitted"):
            register(votes, handlers.refresh_labeler, undo=handlers.refresh_labeler)
        register("PayoutRootPosted", handlers.refresh_job_labelers)
