"""Anonymous job mode API. Joining the group is the one call made with the session (the wallet
proves it qualified); every other call here takes no authentication at all, so a page that sends
its cookies by mistake still tells the server nothing: the views never look at request.user."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from web3 import Web3

from apps.anonymity import selectors, services
from apps.chain import anonymous_rewards, semaphore
from apps.jobs.models import Item, Job
from apps.labeling.api import item_content_response
from apps.lib.errors import AppError

GROUP_TOKEN_HEADER = "X-Group-Token"


@extend_schema_field({"type": "string", "pattern": "^[0-9]{1,78}$"})
class FieldElementField(serializers.Field):
    """A field element (commitment, nullifier, root, proof coordinate) as a decimal string."""

    default_error_messages = {"invalid": "a non-negative integer below 2^256, as a decimal string"}

    def to_internal_value(self, data) -> int:
        if not isinstance(data, str) or not data.isdigit() or len(data) > 78 or int(data) >= 2**256:
            self.fail("invalid")
        return int(data)

    def to_representation(self, value) -> str:
        return str(int(value))


class WithoutSession(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    def anonymous_job(self, job_id: int) -> Job:
        return get_object_or_404(Job, pk=job_id, anonymous=True)

    def require_group_token(self, job: Job) -> None:
        if not selectors.token_valid(job=job, token=self.request.headers.get(GROUP_TOKEN_HEADER, "")):
            raise PermissionDenied("Join the job's anonymous group first: its items are for members.")


@extend_schema_serializer(component_name="GroupJoin")
class JoinOutputSerializer(serializers.Serializer):
    joined = serializers.BooleanField()
    commitment = FieldElementField(allow_null=True)
    tx_hash = serializers.CharField(allow_blank=True)
    group_token = serializers.CharField(allow_blank=True, help_text=f"send it as {GROUP_TOKEN_HEADER} to read items")


def join_view(join, job: Job) -> dict:
    if join is None:
        return {"joined": False, "commitment": None, "tx_hash": "", "group_token": ""}
    return {
        "joined": True,
        "commitment": join.commitment,
        "tx_hash": join.tx_hash,
        "group_token": selectors.group_token(job),
    }


class JoinApi(APIView):
    """The signed-in, qualified wallet puts its identity commitment in the job's group (once)."""

    @extend_schema_serializer(component_name="GroupJoinInput")
    class InputSerializer(serializers.Serializer):
        commitment = FieldElementField()

    @extend_schema(responses=JoinOutputSerializer)
    def get(self, request: Request, job_id: int) -> Response:
        job = get_object_or_404(Job, pk=job_id, anonymous=True)
        return Response(JoinOutputSerializer(join_view(selectors.join_of(job=job, worker=request.user), job)).data)

    @extend_schema(
        request=InputSerializer,
        responses={201: JoinOutputSerializer, 403: OpenApiTypes.OBJECT, 409: OpenApiTypes.OBJECT},
    )
    def post(self, request: Request, job_id: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        job = get_object_or_404(Job, pk=job_id)
        join = services.join_group(job=job, worker=request.user, commitment=data.validated_data["commitment"])
        return Response(JoinOutputSerializer(join_view(join, job)).data, status=status.HTTP_201_CREATED)


class GroupApi(WithoutSession):
    """What a member's page needs to rebuild the group and bind its proofs: public on chain anyway."""

    @extend_schema_serializer(component_name="AnonymousGroup")
    class OutputSerializer(serializers.Serializer):
        job = serializers.CharField(help_text="the JobInstance address proofs are scoped to")
        chain_id = serializers.IntegerField()
        contract = serializers.CharField(help_text="AnonymousLabels' address")
        status = serializers.CharField()
        members = serializers.ListField(child=serializers.CharField())

    @extend_schema(responses=OutputSerializer)
    def get(self, request: Request, job_id: int) -> Response:
        job = self.anonymous_job(job_id)
        return Response(self.OutputSerializer(selectors.group_view(job=job)).data)


@extend_schema_serializer(component_name="AnonymousItem")
class ItemOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    index = serializers.IntegerField()
    media_type = serializers.CharField()
    content_url = serializers.CharField()


class ItemsApi(WithoutSession):
    """Open items of an anonymous job, for members (group token), never tied to who asks."""

    @extend_schema_serializer(component_name="AnonymousItems")
    class OutputSerializer(serializers.Serializer):
        items = ItemOutputSerializer(many=True)

    @extend_schema(
        parameters=[
            OpenApiParameter("count", int, required=False),
            OpenApiParameter(GROUP_TOKEN_HEADER, str, OpenApiParameter.HEADER, required=True),
        ],
        responses=OutputSerializer,
    )
    def get(self, request: Request, job_id: int) -> Response:
        job = self.anonymous_job(job_id)
        self.require_group_token(job)
        try:
            count = int(request.query_params.get("count", "20"))
        except ValueError:
            raise AppError("A valid integer is required.", field="count") from None
        if not 1 <= count <= selectors.MAX_ANONYMOUS_ITEMS:
            raise AppError(f"Between 1 and {selectors.MAX_ANONYMOUS_ITEMS}.", field="count")
        services.require_anonymous_open(job)
        items = [selectors.item_view(i) for i in selectors.open_items(job=job, count=count)]
        return Response(self.OutputSerializer({"items": items}).data)


class ItemContentApi(WithoutSession):
    @extend_schema(
        parameters=[OpenApiParameter(GROUP_TOKEN_HEADER, str, OpenApiParameter.HEADER, required=True)],
        responses={(200, "*/*"): OpenApiTypes.BINARY},
    )
    def get(self, request: Request, item_id: int) -> HttpResponse:
        item = get_object_or_404(Item.objects.select_related("job"), pk=item_id, job__anonymous=True)
        self.require_group_token(item.job)
        return item_content_response(item)


@extend_schema_serializer(component_name="AnonymousLabelStatus")
class LabelOutputSerializer(serializers.Serializer):
    nullifier = serializers.CharField()
    item = serializers.IntegerField(help_text="its on-chain item id")
    status = serializers.CharField()
    tx_hash = serializers.CharField()
    error = serializers.CharField()


class RelayLabelApi(WithoutSession):
    """The relayer: checks the label's proof against the contract (eth_call) and only then sends it."""

    @extend_schema_serializer(component_name="AnonymousLabelInput")
    class InputSerializer(serializers.Serializer):
        """What CrowdZK.generateLabelProof returns: submitLabel's arguments, numbers as decimal strings."""

        job = serializers.RegexField(r"^0x[0-9a-fA-F]{40}$", help_text="the JobInstance address")
        itemId = serializers.IntegerField(min_value=0, max_value=2**32 - 1)
        label = serializers.IntegerField(min_value=0, max_value=255)
        merkleTreeDepth = serializers.IntegerField(min_value=1, max_value=semaphore.MAX_DEPTH)
        merkleTreeRoot = FieldElementField()
        nullifier = FieldElementField()
        points = serializers.ListField(child=FieldElementField(), min_length=8, max_length=8)

    @extend_schema(
        request=InputSerializer,
        responses={
            202: LabelOutputSerializer,
            400: OpenApiTypes.OBJECT,
            403: OpenApiTypes.OBJECT,
            409: OpenApiTypes.OBJECT,
        },
    )
    def post(self, request: Request, job_id: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        job = self.anonymous_job(job_id)
        try:
            proof = semaphore.LabelProof.from_json(data.validated_data)
        except semaphore.MalformedProof as error:
            raise AppError(str(error), code="malformed_proof") from error
        record = services.relay_label(job=job, proof=proof)
        code = status.HTTP_409_CONFLICT if record.status == record.Status.FAILED else status.HTTP_202_ACCEPTED
        return Response(LabelOutputSerializer(selectors.label_view(record)).data, status=code)


class LabelStatusApi(WithoutSession):
    """Pending -> confirmed, asked by nullifier (the page knows its own)."""

    @extend_schema(responses=LabelOutputSerializer)
    def get(self, request: Request, job_id: int, nullifier: str) -> Response:
        record = selectors.label_by_nullifier(job=self.anonymous_job(job_id), nullifier=nullifier)
        if record is None:
            raise Http404("No label with that nullifier.")
        return Response(LabelOutputSerializer(selectors.label_view(record)).data)


class RewardsApi(WithoutSession):
    """The job's anonymous pool as claims need it: public data, asked without the session."""

    @extend_schema_serializer(component_name="AnonymousRewards")
    class OutputSerializer(serializers.Serializer):
        contract = serializers.CharField()
        job = serializers.CharField()
        job_scope = serializers.CharField()
        root = serializers.CharField()
        reward_per_label = serializers.CharField()
        correct_nullifiers = serializers.ListField(child=serializers.CharField())

    @extend_schema(responses={200: OutputSerializer, 404: OpenApiTypes.OBJECT})
    def get(self, request: Request, job_id: int) -> Response:
        view = selectors.rewards_view(job=self.anonymous_job(job_id))
        if view is None:
            raise Http404("This job's anonymous rewards are not funded yet.")
        return Response(self.OutputSerializer(view).data)


class RelayClaimApi(WithoutSession):
    """The relayer for anonymous claims: checked by eth_call, then sent; the recipient is in the proof."""

    @extend_schema_serializer(component_name="AnonymousClaimInput")
    class InputSerializer(serializers.Serializer):
        count = serializers.IntegerField(min_value=1, max_value=anonymous_rewards.CLAIM_SLOTS)
        recipient = serializers.RegexField(r"^0x[0-9a-fA-F]{40}$")
        claim_nullifiers = serializers.ListField(
            child=FieldElementField(),
            min_length=anonymous_rewards.CLAIM_SLOTS,
            max_length=anonymous_rewards.CLAIM_SLOTS,
        )
        proof = serializers.ListField(child=FieldElementField(), min_length=8, max_length=8)

    @extend_schema_serializer(component_name="AnonymousClaim")
    class OutputSerializer(serializers.Serializer):
        tx_hash = serializers.CharField()

    @extend_schema(
        request=InputSerializer,
        responses={200: OutputSerializer, 400: OpenApiTypes.OBJECT, 403: OpenApiTypes.OBJECT, 409: OpenApiTypes.OBJECT},
    )
    def post(self, request: Request, job_id: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        tx_hash = services.relay_claim(
            job=self.anonymous_job(job_id),
            claim=services.ClaimRequest(
                count=values["count"],
                recipient=Web3.to_checksum_address(values["recipient"]),
                claim_nullifiers=tuple(values["claim_nullifiers"]),
                proof=tuple(values["proof"]),
            ),
        )
        return Response(self.OutputSerializer({"tx_hash": tx_hash}).data)
