"""The API's one error shape, and the one DRF exception handler that produces it.

A service refuses a request by raising AppError (or a subclass: LabelingError, ImportRefused ...)
with a message the pages show as it is; the view does not catch it. Every refusal then answers

    {"detail": "what went wrong", "code": "invalid", "field": "count"}   ("field" only when one is to blame)

with the error's HTTP status. `detail` is the key DRF's own refusals use, so the pages (static/js/http.js)
and API clients read one key whatever refused. Django's ValidationError (model and service checks)
answers 400 the same way, its per-field messages kept under "errors"; PermissionDenied 403, Http404
404; DRF's own exceptions as DRF shapes them (a serializer's field errors stay {"field": [...]}).

A service being down or slow answers 503 with a Retry-After header, code "unavailable": the request
may be repeated as it is. Which exceptions mean that is the owning app's to say (the library imports
no app): apps.chain registers the node's (apps.chain.errors.NODE_UNREACHABLE) with answer_unavailable. Django's own
refusals of a request under /api/ (a CSRF failure, a body over DATA_UPLOAD_MAX_MEMORY_SIZE, more
than DATA_UPLOAD_MAX_NUMBER_FILES files or DATA_UPLOAD_MAX_NUMBER_FIELDS fields) answer the same
JSON, from DRF views here and from plain views through ApiErrorMiddleware and csrf_failure.
"""

from __future__ import annotations

import logging

from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

logger = logging.getLogger(__name__)

# Seconds a client should wait before repeating a request a service away could not serve.
RETRY_AFTER_SECONDS = 5


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


class Unavailable(AppError):
    status = 503
    code = "unavailable"


# exception types -> the message a request they interrupted answers with (answer_unavailable)
_unavailable: dict[tuple[type[Exception], ...], str] = {}


def answer_unavailable(exception_types: tuple[type[Exception], ...], *, message: str) -> None:
    """Let these exceptions answer 503 `message` with a retry hint: a service (the chain node) away."""
    _unavailable[tuple(exception_types)] = message


def refusal_of(exc: Exception) -> AppError | None:
    """The AppError a service away, or one of Django's own request refusals, answers as."""
    for types, message in _unavailable.items():
        if isinstance(exc, types):
            logger.warning("%s: %s", message, exc, exc_info=exc)
            return Unavailable(message)
    if isinstance(exc, RequestDataTooBig):
        return AppError(f"The request body is too big: {exc}", status=413, code="too_big")
    if isinstance(exc, TooManyFilesSent):
        return AppError(f"Too many files in one request: {exc}", field="files", code="too_many_files")
    if isinstance(exc, TooManyFieldsSent):
        return AppError(f"Too many fields in one request: {exc}", code="too_many_fields")
    if isinstance(exc, SuspiciousOperation):
        return AppError(f"The request was refused: {exc}", code="bad_request")
    return None


def refusal_response(error: AppError) -> JsonResponse:
    response = error_response(error)
    if isinstance(error, Unavailable):
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    """settings.REST_FRAMEWORK["EXCEPTION_HANDLER"]. None (a 500) for anything else: a bug."""
    if (refusal := refusal_of(exc)) is not None:
        exc = refusal
    if isinstance(exc, AppError):
        set_rollback()
        headers = {"Retry-After": str(RETRY_AFTER_SECONDS)} if isinstance(exc, Unavailable) else None
        return Response(exc.body(), status=exc.status, headers=headers)
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
    elif response is not None and isinstance(exc, exceptions.ValidationError):
        # A serializer's field errors keep their {"field": [...]} shape, with the one-line message
        # and the field at fault (its path: "labels.3.answer_ms") the pages show.
        path, message = first_error(response.data)
        fields = response.data if isinstance(response.data, dict) else {"errors": response.data}
        shown = f"{path}: {message}" if path and path != "non_field_errors" else message
        response.data = {
            **fields,
            **error_body(shown, code="invalid", field=path if path != "non_field_errors" else None),
        }
    return response


def first_error(errors, path: str = "") -> tuple[str, str]:
    """(dotted path, message) of the first error in DRF's nested error detail."""
    if isinstance(errors, dict):
        for key, value in errors.items():
            if value:
                return first_error(value, f"{path}.{key}" if path else str(key))
    elif isinstance(errors, list):
        for index, value in enumerate(errors):
            if isinstance(value, (dict, list)):
                if value:
                    return first_error(value, f"{path}.{index}" if path else str(index))
            else:
                return path, str(value)
    return path, str(errors)


def error_response(error: AppError) -> JsonResponse:
    """The same body for the few plain Django views on hot paths (no DRF there)."""
    return JsonResponse(error.body(), status=error.status)


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


class ApiErrorMiddleware:
    """Under /api/, what a plain Django view raised (DRF views have api_exception_handler) answers
    JSON: a service away 503, Django's request refusals 400/413, anything else a logged 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_api(request):
            return None
        if isinstance(exception, AppError):
            return error_response(exception)
        if (refusal := refusal_of(exception)) is not None:
            return refusal_response(refusal)
        if isinstance(exception, (Http404, PermissionDenied)):
            return None  # Django's own 404/403, answered by handler404/handler403 below
        logger.error("%s %s failed", request.method, request.path, exc_info=exception)
        return JsonResponse(
            error_body("The server failed on this request; it is logged.", code="server_error"), status=500
        )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """settings.CSRF_FAILURE_VIEW: JSON under /api/, Django's page elsewhere."""
    if is_api(request):
        if not request.user.is_authenticated:
            message = "Authentication credentials were not provided: sign in with your wallet first."
            return JsonResponse(error_body(message, code="not_authenticated"), status=403)
        message = f"CSRF check failed ({reason}): reload the page and try again."
        return JsonResponse(error_body(message, code="csrf_failed"), status=403)
    from django.views.csrf import csrf_failure as django_csrf_failure

    return django_csrf_failure(request, reason=reason)
