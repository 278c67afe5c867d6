from django.urls import path

from apps.anonymity import api, views

# The anon/ prefix holds the calls made without the session.
api_patterns = (
    [
        path("jobs/<int:job_id>/anonymity/join", api.JoinApi.as_view(), name="join"),
        path("anon/jobs/<int:job_id>/group", api.GroupApi.as_view(), name="group"),
        path("anon/jobs/<int:job_id>/items", api.ItemsApi.as_view(), name="items"),
        path("anon/items/<int:item_id>/content", api.ItemContentApi.as_view(), name="item-content"),
        path("anon/jobs/<int:job_id>/labels", api.RelayLabelApi.as_view(), name="labels"),
        path("anon/jobs/<int:job_id>/labels/<str:nullifier>", api.LabelStatusApi.as_view(), name="label-status"),
        path("anon/jobs/<int:job_id>/rewards", api.RewardsApi.as_view(), name="rewards"),
        path("anon/jobs/<int:job_id>/claims", api.RelayClaimApi.as_view(), name="claims"),
    ],
    "anonymity-api",
)

page_patterns = (
    [path("jobs/<int:job_id>/anonymous-rewards", views.claim_page, name="claim")],
    "anonymity",
)
