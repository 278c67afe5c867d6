"""The API's one error shape, and the one DRF exception handler that produces it.

A service refuses a request by raising AppError (or a subclass: LabelingError, ImportRefused ...)
with a message the pages show as it is; the view does not catch it. Every refusal then answers

    {"detail": "what went wrong", "code": "invalid", "field": "count"}   ("field" only when one is to blame)

with the error's HTTP status. `detail` is the key DRF's own refusals use, so the pages (static/js/http.js)
and API clients read one key whatever refused. Django's ValidationError (model and service checks)
answers 400 the same way, its per-field messages kept under "errors"; PermissionDenied 403, Http404
404; DRF's own exceptions as DRF shapes them (a serializer's field errors stay {"field": [...]}).
"""
from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback


class AppError(Exception):
    """A request the client can fix or should know about. Subclasses set `status` and `code`."""

    status: int = 400
    code: str = "invalid"

    def __init__(self, message: str, *, field: str | None = None, status: int | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if status is not None:
            self.status = status
        if code is not None:
            self.code = code

    def body(self) -> dict:
        return error_body(self.message, code=self.code, field=self.field)


def error_body(message: str, *, code: str, field: str | None = None, **extra) -> dict:
    body = {"detail": message, "code": code, **extra}
    if field:
        body["field"] = field
    return body


def validation_body(error: DjangoValidationError) -> dict:
    if hasattr(error, "error_dict"):
        fields = error.message_dict
        detail = "; ".join(f"{field}: {' '.join(messages)}" for field, messages in fields.items())
        return error_body(detail, code="invalid", field=next(iter(fields)), errors=fields)
    return error_body(" ".join(error.messages), code="invalid")


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    """settings.REST_FRAMEWORK["EXCEPTION_HANDLER"]. None (a 500) for anything else: a bug."""
    if isinstance(exc, AppError):
        set_rollback()
        return Response(exc.body(), status=exc.status)
    if isinstance(exc, DjangoValidationError):
        set_rollback()
        return Response(validation_body(exc), status=400)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(*exc.args)
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, exceptions.APIException) and isinstance(exc.detail, str):
        response.data = error_body(str(exc.detail), code=getattr(exc.detail, "code", None) or exc.default_code)
    return response


def error_response(error: AppError) -> JsonResponse:
    """The same body for the few plain Django views on hot paths (no DRF there)."""
    return JsonResponse(error.body(), status=error.status)
