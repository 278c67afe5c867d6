from django.apps import AppConfig


class ChainConfig(AppConfig):
    name = "apps.chain"
    label = "chain"

    def ready(self) -> None:
        from apps.chain.consumers import push_chain_activity
        from apps.chain.errors import NODE_UNREACHABLE
        from apps.chain.handlers import ANY_EVENT, register
        from apps.lib.errors import answer_unavailable

        register(ANY_EVENT, push_chain_activity)
        answer_unavailable(
            NODE_UNREACHABLE,
            message="The chain is unreachable right now; nothing was lost. Try again in a few seconds.",
        )
