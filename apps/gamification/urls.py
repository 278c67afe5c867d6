from django.urls import path

from apps.gamification import api, views

api_patterns = (
    [
        path("gamification/me", api.ProgressApi.as_view(), name="progress"),
        path("gamification/leaderboard", api.LeaderboardApi.as_view(), name="leaderboard"),
    ],
    "gamification-api",
)
page_patterns = ([path("leaderboard", views.leaderboard_page, name="leaderboard")], "gamification")
