from django.apps import AppConfig


class LibConfig(AppConfig):
    """Plumbing every app shares: domain events, live pushes, the API's error type, the sweeping
    worker. The lowest floor: it imports no other app."""

    name = "apps.lib"
    label = "lib"
