from django.apps import AppConfig


class RuntimeConfig(AppConfig):
    """Starts and stops the stack: local chain, contracts, ASGI server, worker and indexer."""

    name = "apps.runtime"
    label = "runtime"
