from django.urls import path

from apps.rewards import views
from apps.rewards.api import BalanceApi, ClaimApi, RefundCallApi
from apps.rewards.review_api import ReviewDecisionApi, ReviewQueueApi

urlpatterns = [
    path("jobs/<int:job_id>/claim", ClaimApi.as_view(), name="rewards-claim"),
    path("jobs/<int:job_id>/refund", RefundCallApi.as_view(), name="rewards-refund"),
    path("jobs/<int:job_id>/settle", views.SettleApi.as_view(), name="rewards-settle"),
    path("rewards/balance", BalanceApi.as_view(), name="rewards-balance"),
    path("rewards/payouts", views.PayoutsApi.as_view(), name="rewards-payouts"),
    path("jobs/<int:job_id>/flags", ReviewQueueApi.as_view(), name="rewards-flags"),
    path("flags/<int:flag_id>/review", ReviewDecisionApi.as_view(), name="rewards-review"),
]
# Mounted at / by crowdal_site/urls.py (the API above is mounted under api/).
page_patterns = (
    [
        path("rewards", views.rewards_page, name="page"),
        path("requester/jobs/<int:job_id>/review", views.review_page, name="review"),
    ],
    "rewards",
)
