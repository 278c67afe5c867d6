from django.apps import AppConfig


class ModelsConfig(AppConfig):
    name = "apps.models"
    label = "onchain_models"  # "models" would clash with Django's own module name in migrations
    verbose_name = "On-chain models"
