from django.apps import AppConfig


class RewardsConfig(AppConfig):
    """Settlement (truth and payout root on chain), claims, refunds and labelers' balances."""

    name = "apps.rewards"
    label = "rewards"

    def ready(self) -> None:
        from apps.chain.handlers import register
        from apps.rewards import handlers

        register("LabelsSubmitted", handlers.check_budget_spent)
        register("BoxesSubmitted", handlers.check_budget_spent)  # a box vote is a paid label too
        register("Claimed", handlers.mark_claimed)
        register("Refunded", handlers.mark_refunded)
