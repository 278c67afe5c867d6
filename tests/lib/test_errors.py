"""One error shape for the API: an AppError, Django's ValidationError, PermissionDenied and Http404
raised in any DRF view answer {"detail", "code"[, "field"]} with their status; DRF's own serializer
field errors keep DRF's shape (plus the message and the field); anything else is a 500, not a
disguised refusal."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from apps.jobs.importers import ImportRefused
from apps.labeling.services import LabelingError, NotAllowed
from apps.lib.errors import AppError


class Count(serializers.Serializer):
    count = serializers.IntegerField(min_value=1)


def answer(error: Exception | None = None, *, data: dict | None = None):
    class Raising(APIView):
        permission_classes = [AllowAny]

        def post(self, request):
            if error is not None:
                raise error
            Count(data=request.data).is_valid(raise_exception=True)

    return Raising.as_view()(APIRequestFactory().post("/", data or {}, format="json"))


@pytest.mark.parametrize(
    "error, status, body",
    [
        (AppError("Between 1 and 20.", field="count"), 400, {"code": "invalid", "field": "count"}),
        (AppError("Too late.", status=409, code="closed"), 409, {"code": "closed"}),
        (LabelingError("Item 3 is not an item of this job."), 400, {"code": "invalid"}),
        (NotAllowed("You are paused."), 403, {"code": "not_allowed"}),
        (ImportRefused("a.csv: the file is empty"), 400, {"code": "invalid"}),
        (ValidationError("The deadline has passed."), 400, {"code": "invalid"}),
        (PermissionDenied("Only on the local chain."), 403, {"code": "permission_denied"}),
        (Http404("No such job."), 404, {"code": "not_found"}),
    ],
)
def test_refusals_answer_one_shape(error, status, body):
    """The message, as raised, is the body's detail."""
    response = answer(error)
    assert (response.status_code, response.data) == (status, {"detail": str(error.args[0]), **body})


def test_field_errors_of_a_service_are_kept_apart():
    response = answer(ValidationError({"budget": ["Too small."], "deadline": ["In the past."]}))
    assert response.status_code == 400
    assert response.data == {
        "detail": "budget: Too small.; deadline: In the past.",
        "code": "invalid",
        "field": "budget",
        "errors": {"budget": ["Too small."], "deadline": ["In the past."]},
    }


def test_serializer_field_errors_keep_drfs_shape_with_the_message_and_field_added():
    response = answer(data={"count": 0})
    assert response.status_code == 400
    assert response.data == {
        "count": ["Ensure this value is greater than or equal to 1."],
        "detail": "count: Ensure this value is greater than or equal to 1.",
        "code": "invalid",
        "field": "count",
    }


def test_a_bug_is_not_turned_into_a_refusal():
    with pytest.raises(ZeroDivisionError):
        answer(ZeroDivisionError("division by zero"))
