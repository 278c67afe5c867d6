"""One convention for every app: its urls.py exports `api_patterns` (paths under /api/, namespace
"<app>-api") and/or `page_patterns` (paths under /, namespace "<app>"), each a (patterns, namespace)
pair. An app's paths are written whole in its own urls.py, so that file is where to look."""

from importlib import import_module

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

ROUTED_APPS = [
    "accounts",
    "cockpit",
    "audit",
    "models",
    "labeling",
    "boxes",
    "anonymity",
    "gamification",
    "rewards",
    "pages",
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
]
for app in ROUTED_APPS:
    routes = import_module(f"apps.{app}.urls")
    if hasattr(routes, "api_patterns"):
        urlpatterns.append(path("api/", include(routes.api_patterns)))
    if hasattr(routes, "page_patterns"):
        urlpatterns.append(path("", include(routes.page_patterns)))
