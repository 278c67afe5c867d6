from django.urls import path

from apps.boxes import api

# Mounted under /api/labeling/ by crowdal_site/urls.py.
api_patterns = (
    [
        path("jobs/<int:job_id>/boxes/", api.BoxesApi.as_view(), name="boxes"),
        path("jobs/<int:job_id>/boxes/prepare", api.BoxesPrepareApi.as_view(), name="boxes-prepare"),
        path("jobs/<int:job_id>/boxes/qualification", api.BoxQualificationAnswerApi.as_view(), name="boxes-qualification"),
    ],
    "boxes-api",
)
