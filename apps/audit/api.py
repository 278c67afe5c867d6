"""Audit export: JSON (the schema below) and CSV. The requester of a settled job and staff only."""

from __future__ import annotations

import csv
import io
from dataclasses import asdict

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.audit.selectors import CSV_COLUMNS, audit_rows, audited_job, job_audit


class Amount(serializers.CharField):
    """Token amounts in base units as decimal strings: they exceed JSON's exact integers."""

    def to_representation(self, value) -> str:
        return str(value)


class LabelTxSerializer(serializers.Serializer):
    tx_hash = serializers.CharField()
    block_number = serializers.IntegerField(allow_null=True)
    labels = serializers.IntegerField()


class WorkerAuditSerializer(serializers.Serializer):
    address = serializers.CharField()
    leaf_index = serializers.IntegerField(allow_null=True)
    amount = Amount()
    labels = serializers.IntegerField()
    correct = serializers.IntegerField()
    accuracy = serializers.FloatField()
    verified_labels = serializers.IntegerField()
    reward_per_label = serializers.FloatField()
    claim_tx = serializers.CharField()
    claim_block = serializers.IntegerField(allow_null=True)
    label_txs = LabelTxSerializer(many=True)


class FlowsSerializer(serializers.Serializer):
    funded = Amount()
    paid = Amount()
    refunded = Amount()
    held = Amount()
    total_payout = Amount()
    balanced = serializers.BooleanField()


class AnomalySerializer(serializers.Serializer):
    kind = serializers.CharField()
    detail = serializers.CharField()
    worker = serializers.CharField()


@extend_schema_serializer(component_name="JobAudit")
class JobAuditSerializer(serializers.Serializer):
    job_id = serializers.IntegerField()
    name = serializers.CharField()
    instance = serializers.CharField()
    chain_id = serializers.IntegerField(allow_null=True)
    status = serializers.CharField()
    method = serializers.CharField()
    report_cid = serializers.CharField()
    payout_root = serializers.CharField()
    flows = FlowsSerializer()
    workers = WorkerAuditSerializer(many=True)
    anomalies = AnomalySerializer(many=True)


class CsvRenderer(BaseRenderer):
    """Lets a client ask for text/csv; the view writes the CSV itself, errors come as one line."""

    media_type = "text/csv"
    format = "csv"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        return str(data.get("detail", data) if isinstance(data, dict) else data).encode()


class AuditApi(APIView):
    """GET /api/jobs/<id>/audit: every payout leaf and claim traced to verified labels, the token
    flow read from the chain, and the anomalies (an empty list when all is well)."""

    @extend_schema(responses={200: JobAuditSerializer, 404: OpenApiTypes.OBJECT, 409: OpenApiTypes.OBJECT})
    def get(self, request: Request, job_id: int) -> Response:
        audit = job_audit(job=audited_job(job_id=job_id, user=request.user))
        return Response(JobAuditSerializer(asdict(audit)).data)


class AuditCsvApi(APIView):
    """GET /api/jobs/<id>/audit.csv: the same audit as rows (label_tx, flow, anomaly)."""

    renderer_classes = [JSONRenderer, CsvRenderer]

    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.STR, 404: OpenApiTypes.OBJECT, 409: OpenApiTypes.OBJECT})
    def get(self, request: Request, job_id: int) -> HttpResponse:
        job = audited_job(job_id=job_id, user=request.user)
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        writer.writerows(audit_rows(job_audit(job=job)))
        response = HttpResponse(out.getvalue(), content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="job-{job.pk}-audit.csv"'
        return response
