from django.urls import path

from apps.integrity import api, views

# Mounted under api/ and / by crowdal_site/urls.py.
api_patterns = (
    [
        path("jobs/<int:job_id>/flags", api.ReviewQueueApi.as_view(), name="flags"),
        path("flags/<int:flag_id>/review", api.ReviewDecisionApi.as_view(), name="review"),
    ],
    "integrity-api",
)
page_patterns = ([path("requester/jobs/<int:job_id>/review", views.review_page, name="review")], "integrity")
