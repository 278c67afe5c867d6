from django.urls import path

from apps.rewards import views
from apps.rewards.api import BalanceApi, ClaimApi, RefundCallApi, StopCallApi

urlpatterns = [
    path("jobs/<int:job_id>/claim", ClaimApi.as_view(), name="rewards-claim"),
    path("jobs/<int:job_id>/refund", RefundCallApi.as_view(), name="rewards-refund"),
    path("jobs/<int:job_id>/stop-call", StopCallApi.as_view(), name="rewards-stop"),
    path("jobs/<int:job_id>/settle", views.SettleApi.as_view(), name="rewards-settle"),
    path("rewards/balance", BalanceApi.as_view(), name="rewards-balance"),
    path("rewards/payouts", views.PayoutsApi.as_view(), name="rewards-payouts"),
]
# Mounted at / by crowdal_site/urls.py (the API above is mounted under api/).
page_patterns = ([path("rewards", views.rewards_page, name="page")], "rewards")
