"""Labeler API of bounding-box jobs: prepare (what to sign) and submit one image's boxes, list the
labeler's recent annotations. Errors map as in the labeling API: 400 bad input, 403 not admitted or
job not open, 404 unknown job. A stored vote is relayed by the batch worker: its status (submitted,
confirmed, failed with the chain's reason) comes over ws/labeling/ and the listing."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from apps.boxes import selectors, services
from apps.labeling.api import LabelingApi
from apps.labeling.models import MAX_ANSWER_MS

# A generous bound for the serializer; the job's real limit is settings.BOXES_MAX_PER_ITEM.
MAX_BOXES_IN_REQUEST = 1000


class BoxSerializer(serializers.Serializer):
    # "class" is a Python keyword: the field is declared under another name and renamed below.
    class_ = serializers.IntegerField(min_value=0)
    x = serializers.FloatField()
    y = serializers.FloatField()
    w = serializers.FloatField()
    h = serializers.FloatField()

    def get_fields(self):
        fields = super().get_fields()
        fields["class"] = fields.pop("class_")
        return fields


@extend_schema_serializer(component_name="BoxAnnotation")
class AnnotationOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    item = serializers.IntegerField()
    boxes = BoxSerializer(many=True)
    commitment = serializers.CharField()
    box_count = serializers.IntegerField()
    status = serializers.ChoiceField(choices=["pending", "submitted", "confirmed", "failed", "rejected"])
    batch = serializers.IntegerField()
    tx_hash = serializers.CharField()
    error = serializers.CharField()
    answer_ms = serializers.IntegerField(allow_null=True)


class BoxesPrepareApi(LabelingApi):
    @extend_schema_serializer(component_name="BoxesPrepareInput")
    class InputSerializer(serializers.Serializer):
        item = serializers.IntegerField()
        boxes = BoxSerializer(many=True, max_length=MAX_BOXES_IN_REQUEST)

    @extend_schema_serializer(component_name="PreparedBoxes")
    class OutputSerializer(serializers.Serializer):
        nonce = serializers.IntegerField()
        typed_data = serializers.JSONField()
        commitment = serializers.CharField()
        boxes = BoxSerializer(many=True)

    @extend_schema(request=InputSerializer, responses=OutputSerializer)
    def post(self, request: Request, job_id: int) -> Response:
        """The BoxBatch typed data the labeler's wallet signs (eth_signTypedData_v4) for these boxes."""
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        prepared = services.prepare_boxes(
            job=self.job(job_id),
            worker=request.user,
            item_id=data.validated_data["item"],
            boxes=data.validated_data["boxes"],
        )
        return Response(self.OutputSerializer(prepared).data)


class BoxesApi(LabelingApi):
    @extend_schema_serializer(component_name="BoxesInput")
    class InputSerializer(serializers.Serializer):
        item = serializers.IntegerField()
        boxes = BoxSerializer(many=True, max_length=MAX_BOXES_IN_REQUEST)
        answer_ms = serializers.IntegerField(min_value=0, max_value=MAX_ANSWER_MS, required=False, allow_null=True)
        nonce = serializers.IntegerField(min_value=1, max_value=2**64 - 1)
        signature = serializers.RegexField(r"^0x[0-9a-fA-F]{130}$")

    @extend_schema_serializer(component_name="BoxAnnotations")
    class ListOutputSerializer(serializers.Serializer):
        annotations = AnnotationOutputSerializer(many=True)

    @extend_schema(responses=ListOutputSerializer)
    def get(self, request: Request, job_id: int) -> Response:
        """The labeler's latest annotations in this job: the page's fallback when its websocket is down."""
        annotations = selectors.recent_annotations(job=self.job(job_id), worker=request.user)
        body = {"annotations": [selectors.annotation_view(a) for a in annotations]}
        return Response(self.ListOutputSerializer(body).data)

    @extend_schema(request=InputSerializer, responses={201: AnnotationOutputSerializer})
    def post(self, request: Request, job_id: int) -> Response:
        """Store one image's boxes; the batch worker relays the signed box vote (from /boxes/prepare)."""
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        annotation = services.submit_boxes(
            job=self.job(job_id),
            worker=request.user,
            item_id=data.validated_data["item"],
            boxes=data.validated_data["boxes"],
            answer_ms=data.validated_data.get("answer_ms"),
            nonce=data.validated_data["nonce"],
            signature=data.validated_data["signature"],
        )
        view = AnnotationOutputSerializer(selectors.annotation_view(annotation)).data
        return Response(view, status=status.HTTP_201_CREATED)


class BoxQualificationAnswerApi(LabelingApi):
    @extend_schema_serializer(component_name="BoxQualificationAnswerInput")
    class InputSerializer(serializers.Serializer):
        item = serializers.IntegerField()
        boxes = BoxSerializer(many=True, max_length=MAX_BOXES_IN_REQUEST)

    @extend_schema_serializer(component_name="BoxQualificationFeedback")
    class OutputSerializer(serializers.Serializer):
        score = serializers.FloatField()
        gold = BoxSerializer(many=True)
        answered = serializers.IntegerField()
        total = serializers.IntegerField()
        passed = serializers.BooleanField(allow_null=True)

    @extend_schema(request=InputSerializer, responses=OutputSerializer)
    def post(self, request: Request, job_id: int) -> Response:
        """Answer one image of the running qualification round (started with POST
        /api/jobs/<job>/qualification): instant feedback with its IoU score and, now, its gold boxes."""
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        feedback = services.answer_box_qualification(
            job=self.job(job_id),
            worker=request.user,
            item_id=data.validated_data["item"],
            boxes=data.validated_data["boxes"],
        )
        return Response(self.OutputSerializer(feedback).data)
