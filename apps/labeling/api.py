"""Labeler API: qualification round, next items, label batches, item content; and the requester's
view of the job's honeypot pauses. Thin views: input serializers validate shape, services decide,
output serializers shape the answer."""

from __future__ import annotations

import json

from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_POST
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.chain.labels import LABEL_LIMIT
from apps.jobs.models import Item, Job
from apps.labeling import selectors, services, serving
from apps.labeling.models import MAX_ANSWER_MS, LabelBatch
from apps.labeling.qualification import admit_worker, answer_qualification, start_qualification
from apps.lib.errors import AppError, error_response
from apps.storage.backends import BlobStoreError
from apps.storage.selectors import read_blob

MAX_BATCH = 256
MAX_ID = 2**63 - 1  # a primary key (bigint): a larger one is refused here, not by the database
MAX_PREFETCH = 20


class LabelingApi(APIView):
    def job(self, job_id: int) -> Job:
        return get_object_or_404(Job, pk=job_id)


@extend_schema_serializer(component_name="LabelingItem")
class ItemOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    index = serializers.IntegerField()
    media_type = serializers.CharField()
    content_url = serializers.CharField()
    width = serializers.IntegerField(allow_null=True)
    height = serializers.IntegerField(allow_null=True)


@extend_schema_serializer(component_name="QualificationState")
class QualificationOutputSerializer(serializers.Serializer):
    state = serializers.CharField()
    answered = serializers.IntegerField()
    total = serializers.IntegerField()
    item = ItemOutputSerializer(allow_null=True)
    attempts = serializers.IntegerField()
    max_attempts = serializers.IntegerField()
    wait_seconds = serializers.IntegerField()
    retry_at = serializers.DateTimeField(
        allow_null=True, help_text="when a failed round may be retried; null: none left"
    )
    score = serializers.FloatField(allow_null=True, help_text="mean score of the last finished round")
    reused = serializers.BooleanField(help_text="admitted by a pass in another job of the same domain")


class QualificationApi(LabelingApi):
    @extend_schema(responses=QualificationOutputSerializer)
    def get(self, request: Request, job_id: int) -> Response:
        view = selectors.qualification_view(job=self.job(job_id), worker=request.user)
        return Response(QualificationOutputSerializer(view).data)

    @extend_schema(request=None, responses=QualificationOutputSerializer)
    def post(self, request: Request, job_id: int) -> Response:
        """Start the round (or continue it, or retry after a failure once the wait is over)."""
        job = self.job(job_id)
        qualification = start_qualification(job=job, worker=request.user)
        if qualification.passed and not qualification.admitted:
            admit_worker(qualification=qualification)  # a pass whose admission failed earlier
        view = selectors.qualification_view(job=job, worker=request.user)
        return Response(QualificationOutputSerializer(view).data)


class QualificationAnswerApi(LabelingApi):
    @extend_schema_serializer(component_name="QualificationAnswerInput")
    class InputSerializer(serializers.Serializer):
        item = serializers.IntegerField()
        label = serializers.IntegerField(min_value=0)

    @extend_schema_serializer(component_name="QualificationFeedback")
    class OutputSerializer(serializers.Serializer):
        correct = serializers.BooleanField()
        score = serializers.FloatField()
        correct_label = serializers.IntegerField(source="gold", help_text="the gold answer of the item just answered")
        answered = serializers.IntegerField()
        total = serializers.IntegerField()
        passed = serializers.BooleanField(allow_null=True)

    @extend_schema(request=InputSerializer, responses=OutputSerializer)
    def post(self, request: Request, job_id: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        answer = data.validated_data
        feedback = answer_qualification(
            job=self.job(job_id), worker=request.user, item_id=answer["item"], answer=answer["label"]
        )
        return Response(self.OutputSerializer(feedback).data)


@require_POST
def next_items(request, job_id: int) -> JsonResponse:
    """POST /api/jobs/<id>/next-items {count: 1..MAX_PREFETCH, default 1} -> {items: [{id, index,
    media_type, content_url}]}. The hot path of the labeling page, so a plain Django view, not DRF
    (no request wrapping, negotiation, serializers or renderer; it is therefore not in the OpenAPI
    schema). Same contract as the DRF views: session auth (AuthenticationMiddleware), CSRF
    (CsrfViewMiddleware; the view is not csrf_exempt), 403 for anonymous, a job not open or a
    labeler not admitted, 400 for a bad count, 404 for an unknown job, 405 for other methods, 409
    (code pending_limit) while the labeler holds LABELING_MAX_PENDING_ITEMS labels not yet on chain."""
    try:
        if not request.user.is_authenticated:
            raise AppError("Authentication credentials were not provided.", status=403, code="not_authenticated")
        count = _requested_count(request.body)
        # One query for the job, the admission check and the expired-lease probe.
        job = selectors.job_for_serving(job_id=job_id, worker=request.user)
        if job is None:
            raise AppError("No Job matches the given query.", status=404, code="not_found")
        services.require_admitted(
            job=job, worker=request.user, admitted=job.serving_admitted, paused=job.serving_paused
        )
        items = serving.next_items_for(
            job=job, worker=request.user, count=count, expired=job.serving_expired, pending=job.serving_pending
        )
    except AppError as error:  # LabelingError and NotAllowed among them
        return error_response(error)
    return JsonResponse({"items": [selectors.item_view(i) for i in items]})


def _requested_count(raw_body: bytes) -> int:
    if not raw_body:
        return 1
    try:
        body = json.loads(raw_body)
    except ValueError:
        raise AppError("JSON parse error.", code="parse_error") from None
    if not isinstance(body, dict):
        raise AppError("Expected a JSON object.", code="parse_error")
    raw = body.get("count", 1)
    try:
        if isinstance(raw, bool) or (isinstance(raw, float) and not raw.is_integer()):
            raise ValueError
        count = int(raw)
    except (TypeError, ValueError):
        raise AppError("A valid integer is required.", field="count") from None
    if not 1 <= count <= MAX_PREFETCH:
        raise AppError(f"Ensure this value is between 1 and {MAX_PREFETCH}.", field="count")
    return count


class LabelInputSerializer(serializers.Serializer):
    item = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    label = serializers.IntegerField(min_value=0, max_value=LABEL_LIMIT - 1)
    answer_ms = serializers.IntegerField(min_value=0, max_value=MAX_ANSWER_MS, required=False, allow_null=True)


def label_inputs(entries: list[dict]) -> list[services.LabelInput]:
    return [services.LabelInput(item_id=e["item"], label=e["label"], answer_ms=e.get("answer_ms")) for e in entries]


class RejectedLabelSerializer(serializers.Serializer):
    item = serializers.IntegerField(source="item_id")
    reason = serializers.CharField(source="rejection")


@extend_schema_serializer(component_name="LabelBatch")
class BatchOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    mode = serializers.CharField()
    status = serializers.CharField()
    tx_hash = serializers.CharField()
    error = serializers.CharField()
    nonce = serializers.IntegerField(allow_null=True)
    packed = serializers.CharField()
    size = serializers.SerializerMethodField()
    rejected = RejectedLabelSerializer(
        many=True, source="rejected_labels", help_text="its labels on chain that the server's rules do not count"
    )

    def get_size(self, batch: LabelBatch) -> int:
        return getattr(batch, "size", None) or batch.labels.count()


class PrepareBatchApi(LabelingApi):
    @extend_schema_serializer(component_name="BatchLabelsInput")
    class InputSerializer(serializers.Serializer):
        labels = LabelInputSerializer(many=True, min_length=1, max_length=MAX_BATCH)

    @extend_schema_serializer(component_name="PreparedBatch")
    class OutputSerializer(serializers.Serializer):
        nonce = serializers.IntegerField()
        typed_data = serializers.JSONField()
        to = serializers.CharField()
        data = serializers.CharField()

    @extend_schema(request=InputSerializer, responses=OutputSerializer)
    def post(self, request: Request, job_id: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        prepared = services.prepare_batch(
            job=self.job(job_id), worker=request.user, labels=label_inputs(data.validated_data["labels"])
        )
        return Response(self.OutputSerializer(prepared).data)


class BatchesApi(LabelingApi):
    @extend_schema_serializer(component_name="BatchInput")
    class InputSerializer(serializers.Serializer):
        mode = serializers.ChoiceField(choices=LabelBatch.Mode.choices)
        labels = LabelInputSerializer(many=True, min_length=1, max_length=MAX_BATCH)
        nonce = serializers.IntegerField(min_value=1, max_value=2**64 - 1, required=False, allow_null=True)
        signature = serializers.RegexField(r"^0x[0-9a-fA-F]{130}$", required=False, allow_blank=True)

    @extend_schema_serializer(component_name="LabelBatches")
    class ListOutputSerializer(serializers.Serializer):
        batches = BatchOutputSerializer(many=True)

    @extend_schema(responses=ListOutputSerializer)
    def get(self, request: Request, job_id: int) -> Response:
        """The worker's latest batches: the page's fallback when its websocket is down."""
        batches = selectors.recent_batches(job=self.job(job_id), worker=request.user)
        return Response(self.ListOutputSerializer({"batches": batches}).data)

    @extend_schema(request=InputSerializer, responses={201: BatchOutputSerializer})
    def post(self, request: Request, job_id: int) -> Response:
        """Record the batch (pending); a relayed one is sent by the batch worker, and its progress
        (submitted, confirmed, failed) comes over ws/labeling/ and GET."""
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        batch = services.submit_batch(
            job=self.job(job_id),
            worker=request.user,
            mode=data.validated_data["mode"],
            labels=label_inputs(data.validated_data["labels"]),
            nonce=data.validated_data.get("nonce"),
            signature=data.validated_data.get("signature", ""),
        )
        return Response(BatchOutputSerializer(batch).data, status=status.HTTP_201_CREATED)


class BatchTxApi(LabelingApi):
    """The page reports what became of a wallet batch: its transaction hash, or that the wallet refused."""

    @extend_schema_serializer(component_name="BatchTxInput")
    class InputSerializer(serializers.Serializer):
        tx_hash = serializers.RegexField(r"^0x[0-9a-fA-F]{64}$", required=False)
        error = serializers.CharField(max_length=500, required=False)

    @extend_schema(request=InputSerializer, responses=BatchOutputSerializer)
    def post(self, request: Request, job_id: int, batch_id: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        batch = get_object_or_404(
            LabelBatch, pk=batch_id, job_id=job_id, worker=request.user, mode=LabelBatch.Mode.WALLET
        )
        if tx_hash := data.validated_data.get("tx_hash"):
            batch = services.report_wallet_tx(batch=batch, tx_hash=tx_hash)
        else:
            reason = data.validated_data.get("error") or "The wallet did not send the batch."
            batch = services.fail_batch(batch=batch, reason=reason)
        return Response(BatchOutputSerializer(batch).data)


class ItemContentApi(APIView):
    @extend_schema(responses={(200, "*/*"): OpenApiTypes.BINARY})
    def get(self, request: Request, item_id: int) -> HttpResponse:
        item = get_object_or_404(Item.objects.select_related("job"), pk=item_id)
        if not selectors.can_view_item(item=item, user=request.user):
            raise PermissionDenied("Only the job's requester and its admitted labelers may see its items.")
        return item_content_response(item)


def item_content_response(item: Item) -> HttpResponse:
    """An item's bytes for a page that may see it (the caller checked): private, never sniffed."""
    try:
        blob = read_blob(item.content_cid)
    except BlobStoreError as error:
        raise Http404("The item's content is missing or damaged in the store.") from error
    response = HttpResponse(blob, content_type=item.media_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
