from django.urls import path

from apps.models import api, views

api_patterns = (
    [
        path("models", api.ModelListApi.as_view(), name="list"),
        path("models/<int:model_id>", api.ModelDetailApi.as_view(), name="detail"),
        path("models/<int:model_id>/predict", api.ModelPredictApi.as_view(), name="predict"),
        path("models/<int:model_id>/contribute", api.ModelContributeApi.as_view(), name="contribute"),
        path("models/<int:model_id>/contributions", api.ModelContributionsApi.as_view(), name="contributions"),
        path("jobs/<int:job_id>/publish-model", api.PublishJobModelApi.as_view(), name="publish"),
    ],
    "models-api",
)
page_patterns = (
    [
        path("models", views.model_list, name="list"),
        path("models/<int:model_id>", views.model_page, name="detail"),
    ],
    "models",
)
