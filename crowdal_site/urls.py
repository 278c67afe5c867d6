from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from apps.anonymity import urls as anonymity_urls
from apps.audit import urls as audit_urls
from apps.boxes import urls as boxes_urls
from apps.gamification import urls as gamification_urls
from apps.integrity import urls as integrity_urls
from apps.jobs import urls as jobs_urls
from apps.labeling import urls as labeling_urls
from apps.models import urls as models_urls
from apps.rewards import urls as rewards_urls

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/auth/", include("apps.accounts.urls")),
    path("api/", include("apps.rewards.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/jobs/", include((jobs_urls.api_patterns, "jobs-api"))),
    path("api/jobs/", include(audit_urls.api_patterns)),
    path("", include(audit_urls.page_patterns)),
    path("api/", include(gamification_urls.api_patterns)),
    path("", include(gamification_urls.page_patterns)),
    path("", include((jobs_urls.page_patterns, "jobs"))),
    path("api/", include(labeling_urls.api_patterns)),
    path("api/labeling/", include(boxes_urls.api_patterns)),
    path("api/", include(anonymity_urls.api_patterns)),
    path("", include(labeling_urls.page_patterns)),
    path("", include(anonymity_urls.page_patterns)),
    path("", include(rewards_urls.page_patterns)),
    path("api/", include(integrity_urls.api_patterns)),
    path("", include(integrity_urls.page_patterns)),
    path("api/", include(models_urls.api_patterns)),
    path("", include(models_urls.page_patterns)),
    path("", include("apps.pages.urls")),
]
