"""Requester REST API. Every endpoint needs a signed-in wallet (the project's DRF default) and sees only
the caller's own jobs: another requester's job answers 404, so its existence is not revealed.
Token amounts travel as decimal strings of base units (they exceed JavaScript's safe integers)."""

from __future__ import annotations

from dataclasses import asdict

from django.http import Http404, HttpResponse, StreamingHttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.chain.client import ChainNotConfigured
from apps.chain.registry import ContractNotDeployed
from apps.cockpit.export import FORMATS, MODEL_MEDIA_TYPE, export_job, export_model
from apps.jobs.kinds import kind_for, registered_kinds
from apps.jobs.models import INSTRUCTIONS_MAX_CHARS, Job
from apps.jobs.selectors import funding_call, job_of, jobs_of
from apps.jobs.services import Upload, create_job, import_items, mint_test_tokens, record_funding, stop_job
from apps.labeling.selectors import job_progress
from apps.lib.errors import AppError

UINT96_MAX_DIGITS = 29  # 2^96 has 29 decimal digits
FAUCET_AMOUNT = 10_000 * 10**18


@extend_schema_field({"type": "string", "pattern": "^[0-9]+$", "example": "1000000000000000000"})
class TokenAmountField(serializers.Field):
    """A whole number of token base units, as a decimal string."""

    def to_internal_value(self, data) -> int:
        if not isinstance(data, str) or not data.isdigit() or len(data) > UINT96_MAX_DIGITS:
            raise serializers.ValidationError("a whole number of token base units, as a decimal string")
        return int(data)

    def to_representation(self, value) -> str:
        return str(int(value))


class JobOutputSerializer(serializers.ModelSerializer):
    price_per_label = TokenAmountField()
    budget = TokenAmountField()
    classes = serializers.SerializerMethodField()
    items = serializers.IntegerField(source="item_count", read_only=True)

    class Meta:
        model = Job
        fields = [
            "id", "name", "instructions", "task_type", "classes", "redundancy", "price_per_label", "budget",
            "deadline", "qualification_bar", "qualification_size", "qualification_max_attempts",
            "qualification_wait_seconds", "domain", "honeypot_min", "aggregation_method", "stopping_rule",
            "target_accuracy", "anonymous", "min_tier", "status",
            "items", "manifest_cid", "manifest_digest", "chain_id", "onchain_id", "instance_address", "created_tx",
            "created_at",
        ]  # fmt: skip
        # Set through POST /api/jobs/<id>/min-tier (apps.gamification), which validates the tier.
        read_only_fields = ["min_tier"]

    def get_classes(self, job: Job) -> list[dict]:
        return [{"index": c.index, "name": c.name, "shortcut": c.shortcut} for c in job.classes.all()]


class JobListApi(APIView):
    @extend_schema_serializer(component_name="JobCreateInput")
    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=200)
        instructions = serializers.CharField(
            allow_blank=True, required=False, default="", max_length=INSTRUCTIONS_MAX_CHARS
        )
        task_type = serializers.ChoiceField(choices=Job.TaskType.choices)
        classes = serializers.ListField(child=serializers.CharField(max_length=100), min_length=1)
        redundancy = serializers.IntegerField()
        price_per_label = TokenAmountField()
        budget = TokenAmountField()
        deadline = serializers.DateTimeField()
        qualification_bar = serializers.FloatField(required=False, default=0.8)
        qualification_size = serializers.IntegerField(required=False, default=5, min_value=1, max_value=100)
        qualification_max_attempts = serializers.IntegerField(required=False, default=3, min_value=1, max_value=100)
        qualification_wait_seconds = serializers.IntegerField(
            required=False, default=600, min_value=0, max_value=30 * 86_400
        )
        domain = serializers.SlugField(max_length=50, required=False, default="", allow_blank=True)
        honeypot_min = serializers.IntegerField(required=False, default=5, min_value=1, max_value=1000)
        aggregation_method = serializers.ChoiceField(
            choices=Job.AggregationMethod.choices, default=Job.AggregationMethod.ANCHORED_DAWID_SKENE
        )
        stopping_rule = serializers.ChoiceField(choices=Job.StoppingRule.choices, default=Job.StoppingRule.BUDGET)
        target_accuracy = serializers.FloatField(required=False, allow_null=True, default=None)
        anonymous = serializers.BooleanField(required=False, default=False)

    @extend_schema(responses=JobOutputSerializer(many=True))
    def get(self, request: Request) -> Response:
        jobs = jobs_of(requester=request.user).prefetch_related("classes")
        return Response(JobOutputSerializer(jobs, many=True).data)

    @extend_schema(request=InputSerializer, responses={201: JobOutputSerializer})
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        job = create_job(requester=request.user, class_names=data.pop("classes"), **data)
        job = job_of(job_id=job.pk, requester=request.user)
        return Response(JobOutputSerializer(job).data, status=status.HTTP_201_CREATED)


class JobDetailApi(APIView):
    @extend_schema_serializer(component_name="JobProgress")
    class ProgressSerializer(serializers.Serializer):
        items = serializers.IntegerField()
        gold_items = serializers.IntegerField()
        labels_pending = serializers.IntegerField()
        labels_confirmed = serializers.IntegerField()
        spent = TokenAmountField()
        budget = TokenAmountField()

    @extend_schema_serializer(component_name="JobDetail")
    class OutputSerializer(JobOutputSerializer):
        progress = serializers.SerializerMethodField()

        class Meta(JobOutputSerializer.Meta):
            fields = [*JobOutputSerializer.Meta.fields, "progress"]

        def get_progress(self, job: Job) -> dict:
            return JobDetailApi.ProgressSerializer(job_progress(job=job)).data

    @extend_schema(responses=OutputSerializer)
    def get(self, request: Request, job_id: int) -> Response:
        return Response(self.OutputSerializer(job_of(job_id=job_id, requester=request.user)).data)


class JobImportApi(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema_serializer(component_name="JobImportInput")
    class InputSerializer(serializers.Serializer):
        # Empty files reach the importer, whose refusal names the file.
        files = serializers.ListField(child=serializers.FileField(allow_empty_file=True), min_length=1)
        gold_file = serializers.FileField(required=False, allow_null=True, allow_empty_file=True)

    @extend_schema_serializer(component_name="JobImportResult")
    class OutputSerializer(serializers.Serializer):
        imported = serializers.IntegerField()
        items = serializers.IntegerField()
        manifest_cid = serializers.CharField()

    @extend_schema(request={"multipart/form-data": InputSerializer}, responses=OutputSerializer)
    def post(self, request: Request, job_id: int) -> Response:
        job = job_of(job_id=job_id, requester=request.user)
        serializer = self.InputSerializer(
            data={"files": request.FILES.getlist("files"), "gold_file": request.FILES.get("gold_file")}
        )
        serializer.is_valid(raise_exception=True)
        upload = Upload(files=serializer.validated_data["files"], gold_file=serializer.validated_data.get("gold_file"))
        imported = import_items(job=job, upload=upload)
        job = job_of(job_id=job_id, requester=request.user)
        result = {"imported": imported, "items": job.item_count, "manifest_cid": job.manifest_cid}
        return Response(self.OutputSerializer(result).data)


class JobFundingApi(APIView):
    @extend_schema_serializer(component_name="JobFundingCall")
    class OutputSerializer(serializers.Serializer):
        chain_id = serializers.IntegerField()
        token = serializers.CharField()
        management = serializers.CharField()
        num_items = serializers.IntegerField()
        num_classes = serializers.IntegerField()
        redundancy = serializers.IntegerField()
        price_per_label = serializers.CharField()
        deadline = serializers.IntegerField(help_text="unix seconds")
        budget = serializers.CharField()
        manifest = serializers.CharField(help_text="0x bytes32: sha2-256 of the manifest")
        balance = serializers.CharField(help_text="the requester's token balance now")
        allowance = serializers.CharField(help_text="what JobManagement may take from the requester now")

    @extend_schema_serializer(component_name="JobFundingSent")
    class InputSerializer(serializers.Serializer):
        tx_hash = serializers.RegexField(r"^0x[0-9a-fA-F]{64}$")

    @extend_schema(responses=OutputSerializer)
    def get(self, request: Request, job_id: int) -> Response:
        job = job_of(job_id=job_id, requester=request.user)
        try:
            call = funding_call(job=job)
        except (ChainNotConfigured, ContractNotDeployed) as error:
            raise AppError(str(error), code="chain_unavailable") from error
        return Response(self.OutputSerializer(asdict(call)).data)

    @extend_schema(request=InputSerializer, responses=JobOutputSerializer)
    def post(self, request: Request, job_id: int) -> Response:
        """The page reports the createJob transaction it sent; the job waits in FUNDING for JobCreated."""
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        job = job_of(job_id=job_id, requester=request.user)
        record_funding(job=job, by=request.user, tx_hash=serializer.validated_data["tx_hash"].lower())
        return Response(JobOutputSerializer(job_of(job_id=job_id, requester=request.user)).data)


class JobStopApi(APIView):
    @extend_schema(request=None, responses=JobOutputSerializer)
    def post(self, request: Request, job_id: int) -> Response:
        job = job_of(job_id=job_id, requester=request.user)
        stop_job(job=job, by=request.user)
        return Response(JobOutputSerializer(job_of(job_id=job_id, requester=request.user)).data)


# The formats task kinds add (a bounding-box job's coco / yolo / voc zips), for the schema; kinds are
# registered in their apps' ready(), before URLs (and so this module) are loaded.
KIND_FORMATS = sorted({fmt for kind in registered_kinds().values() for fmt in kind.export_formats})
KIND_MEDIA_TYPES = sorted({m for kind in registered_kinds().values() for m in kind.export_formats.values()})


class JobExportApi(APIView):
    # The format is in the path: DRF reserves the `format` query parameter for its own renderers.
    @extend_schema(
        parameters=[OpenApiParameter("fmt", str, OpenApiParameter.PATH, enum=[*FORMATS, *KIND_FORMATS])],
        responses={**{(200, media): str for media in FORMATS.values()}, **{(200, m): bytes for m in KIND_MEDIA_TYPES}},
        description="Labels as csv / jsonl; for bounding-box jobs also the consensus boxes as a zip of "
        "coco (annotations.json), yolo (classes.txt + labels/*.txt) or voc (Annotations/*.xml).",
    )
    def get(self, request: Request, job_id: int, fmt: str) -> HttpResponse:
        job = job_of(job_id=job_id, requester=request.user)
        kind = kind_for(job)
        if fmt in kind.export_formats:
            exported = kind.export(job=job, fmt=fmt)
            response = HttpResponse(exported.content, content_type=exported.media_type)
            response["Content-Disposition"] = f'attachment; filename="{exported.filename}"'
            return response
        if fmt not in FORMATS:
            raise Http404(f"no export format {fmt!r}; use one of {', '.join(FORMATS)}")
        response = StreamingHttpResponse(export_job(job=job, fmt=fmt), content_type=FORMATS[fmt])
        response["Content-Disposition"] = f'attachment; filename="job-{job.pk}-labels.{fmt}"'
        return response


class JobModelExportApi(APIView):
    @extend_schema(
        responses={(200, MODEL_MEDIA_TYPE): bytes},
        description="The latest model version as a joblib file: a dict with `estimator`, `classes` (names by "
        "index), `features`, `version`, `heldout_accuracy`. 404 before the first model.",
    )
    def get(self, request: Request, job_id: int) -> HttpResponse:
        job = job_of(job_id=job_id, requester=request.user)
        model = export_model(job=job)
        response = HttpResponse(model.data, content_type=MODEL_MEDIA_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{model.filename}"'
        return response


class FaucetApi(APIView):
    """Development only: mints test tokens to the signed-in wallet so it can fund a job on anvil."""

    @extend_schema_serializer(component_name="FaucetMint")
    class OutputSerializer(serializers.Serializer):
        tx_hash = serializers.CharField()
        amount = serializers.CharField()

    @extend_schema(request=None, responses=OutputSerializer)
    def post(self, request: Request) -> Response:
        tx_hash = mint_test_tokens(address=request.user.address, amount=FAUCET_AMOUNT)
        return Response(self.OutputSerializer({"tx_hash": tx_hash, "amount": str(FAUCET_AMOUNT)}).data)
