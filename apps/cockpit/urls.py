from django.urls import path

from apps.cockpit import api, controls_api, review_api, views

api_patterns = (
    [
        path("jobs/", api.JobListApi.as_view(), name="list"),
        path("jobs/faucet", api.FaucetApi.as_view(), name="faucet"),
        path("jobs/<int:job_id>", api.JobDetailApi.as_view(), name="detail"),
        path("jobs/<int:job_id>/import", api.JobImportApi.as_view(), name="import"),
        path("jobs/<int:job_id>/funding", api.JobFundingApi.as_view(), name="funding"),
        path("jobs/<int:job_id>/stop", api.JobStopApi.as_view(), name="stop"),
        path("jobs/<int:job_id>/stop-call", controls_api.StopCallApi.as_view(), name="stop-call"),
        path("jobs/<int:job_id>/export/model", api.JobModelExportApi.as_view(), name="export-model"),  # before <fmt>
        path("jobs/<int:job_id>/export/<str:fmt>", api.JobExportApi.as_view(), name="export"),
        path("jobs/<int:job_id>/pauses", controls_api.PausesApi.as_view(), name="pauses"),
        path("jobs/<int:job_id>/pauses/<int:pause_id>/lift", controls_api.LiftPauseApi.as_view(), name="pause-lift"),
        path("jobs/<int:job_id>/min-tier", controls_api.JobMinTierApi.as_view(), name="min-tier"),
        path("jobs/<int:job_id>/settle", controls_api.SettleApi.as_view(), name="settle"),
        path("jobs/<int:job_id>/refund", controls_api.RefundCallApi.as_view(), name="refund"),
        path("jobs/<int:job_id>/flags", review_api.ReviewQueueApi.as_view(), name="flags"),
        path("flags/<int:flag_id>/review", review_api.ReviewDecisionApi.as_view(), name="review"),
    ],
    "cockpit-api",
)
# Under requester/: jobs/ is the labelers' job board.
page_patterns = (
    [
        path("requester/jobs/", views.my_jobs, name="mine"),
        path("requester/jobs/new", views.new_job, name="new"),
        path("requester/jobs/<int:job_id>/", views.job_detail, name="detail"),
        path("requester/jobs/<int:job_id>/review", views.review_page, name="review"),
    ],
    "cockpit",
)
