from django.apps import AppConfig


class AnonymityConfig(AppConfig):
    """Anonymous job mode: Semaphore group joins, relayed anonymous labels, the anonymous reward pool."""

    name = "apps.anonymity"
    label = "anonymity"

    def ready(self) -> None:
        from apps.anonymity import handlers
        from apps.chain.handlers import register

        register("MembersAdded", handlers.record_members)
        register("AnonymousLabel", handlers.confirm_label, undo=handlers.unconfirm_label)
