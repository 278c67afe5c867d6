from django.urls import path

from apps.gamification import api, views

# Mounted under /api/ and / by crowdal_site/urls.py.
api_patterns = (
    [
        path("gamification/me", api.ProgressApi.as_view(), name="progress"),
        path("gamification/leaderboard", api.LeaderboardApi.as_view(), name="leaderboard"),
        path("jobs/<int:job_id>/min-tier", api.JobMinTierApi.as_view(), name="min-tier"),
    ],
    "gamification-api",
)
page_patterns = ([path("leaderboard", views.leaderboard_page, name="leaderboard")], "gamification")
