from django.urls import path

from apps.labeling import api, views

api_patterns = (
    [
        path("jobs/<int:job_id>/qualification", api.QualificationApi.as_view(), name="qualification"),
        path(
            "jobs/<int:job_id>/qualification/answers",
            api.QualificationAnswerApi.as_view(),
            name="qualification-answers",
        ),
        path("jobs/<int:job_id>/next-items", api.next_items, name="next-items"),
        path("jobs/<int:job_id>/batches/prepare", api.PrepareBatchApi.as_view(), name="batch-prepare"),
        path("jobs/<int:job_id>/batches", api.BatchesApi.as_view(), name="batches"),
        path("jobs/<int:job_id>/batches/<int:batch_id>/tx", api.BatchTxApi.as_view(), name="batch-tx"),
        path("items/<int:item_id>/content", api.ItemContentApi.as_view(), name="item-content"),
    ],
    "labeling-api",
)

page_patterns = (
    [
        path("jobs/", views.job_board, name="board"),
        path("jobs/<int:job_id>/label", views.label_page, name="label"),
    ],
    "labeling",
)
