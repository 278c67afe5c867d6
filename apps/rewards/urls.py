from django.urls import path

from apps.rewards import api, views

api_patterns = (
    [
        path("jobs/<int:job_id>/claim", api.ClaimApi.as_view(), name="claim"),
        path("rewards/balance", api.BalanceApi.as_view(), name="balance"),
        path("rewards/payouts", views.PayoutsApi.as_view(), name="payouts"),
    ],
    "rewards-api",
)
page_patterns = ([path("rewards", views.rewards_page, name="page")], "rewards")
