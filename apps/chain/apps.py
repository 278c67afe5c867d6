from django.apps import AppConfig


class ChainConfig(AppConfig):
    name = "apps.chain"
    label = "chain"

    def ready(self) -> None:
        from apps.chain.consumers import push_chain_activity
        from apps.chain.handlers import ANY_EVENT, register

        register(ANY_EVENT, push_chain_activity)
