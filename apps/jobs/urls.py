from django.urls import path

from apps.jobs import api, views

# Mounted under /api/jobs/ and / by crowdal_site/urls.py; the pages live under requester/ because
# jobs/ is the labelers' job board.
api_patterns = [
    path("", api.JobListApi.as_view(), name="list"),
    path("faucet", api.FaucetApi.as_view(), name="faucet"),
    path("<int:job_id>", api.JobDetailApi.as_view(), name="detail"),
    path("<int:job_id>/import", api.JobImportApi.as_view(), name="import"),
    path("<int:job_id>/funding", api.JobFundingApi.as_view(), name="funding"),
    path("<int:job_id>/stop", api.JobStopApi.as_view(), name="stop"),
    path("<int:job_id>/export/model", api.JobModelExportApi.as_view(), name="export-model"),  # before <fmt>
    path("<int:job_id>/export/<str:fmt>", api.JobExportApi.as_view(), name="export"),
]
page_patterns = [
    path("requester/jobs/", views.my_jobs, name="mine"),
    path("requester/jobs/new", views.new_job, name="new"),
    path("requester/jobs/<int:job_id>/", views.job_detail, name="detail"),
]
