"""Public pages: the list of on-chain models and one model's card with Predict."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from apps.models.selectors import published_model, published_models


@require_GET
def model_list(request: HttpRequest) -> HttpResponse:
    return render(request, "models/list.html", {"models": published_models()})


@require_GET
def model_page(request: HttpRequest, model_id: int) -> HttpResponse:
    return render(request, "models/detail.html", {"model": published_model(model_id=model_id)})
