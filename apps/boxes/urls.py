from django.urls import path

from apps.boxes import api

api_patterns = (
    [
        path("labeling/jobs/<int:job_id>/boxes/", api.BoxesApi.as_view(), name="boxes"),
        path("labeling/jobs/<int:job_id>/boxes/prepare", api.BoxesPrepareApi.as_view(), name="boxes-prepare"),
        path(
            "labeling/jobs/<int:job_id>/boxes/qualification",
            api.BoxQualificationAnswerApi.as_view(),
            name="boxes-qualification",
        ),
    ],
    "boxes-api",
)
