"""REST endpoints of the on-chain models: the list and cards are public, predicting is public (an
eth_call costs nobody gas), publishing a job's model is for that job's requester."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.chain.client import TransactionFailed
from apps.models.encoders import EncodingError
from apps.models.selectors import (
    MAX_PREDICT_BYTES,
    NotCollaborative,
    contribute_call,
    contributions_of,
    predict_content,
    published_model,
    published_models,
)
from apps.models.services import CannotPublish, publish_job_model


class ModelCardSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()
    encoder = serializers.CharField()
    chain_id = serializers.IntegerField()
    address = serializers.CharField()
    trainer_address = serializers.CharField()
    class_names = serializers.ListField(child=serializers.CharField())
    num_features = serializers.IntegerField()
    publisher = serializers.CharField(source="publisher.address")
    job_id = serializers.IntegerField(allow_null=True)
    model_version = serializers.IntegerField(allow_null=True)
    settlement_report_cid = serializers.CharField()
    offchain_accuracy = serializers.FloatField(allow_null=True)
    onchain_accuracy = serializers.FloatField(allow_null=True)
    quantisation_loss_points = serializers.FloatField(allow_null=True)
    gold_items = serializers.IntegerField()
    deploy_gas = serializers.IntegerField()
    created_at = serializers.DateTimeField()


class PredictRequestSerializer(serializers.Serializer):
    file = serializers.FileField(required=False, help_text="an image, for an image model")
    text = serializers.CharField(required=False, help_text="a text, for a text model")


class PredictionSerializer(serializers.Serializer):
    class_index = serializers.IntegerField()
    class_name = serializers.CharField()
    address = serializers.CharField()


class ModelListApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=ModelCardSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(ModelCardSerializer(published_models(), many=True).data)


class ModelDetailApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=ModelCardSerializer)
    def get(self, request: Request, model_id: int) -> Response:
        return Response(ModelCardSerializer(published_model(model_id=model_id)).data)


class BadItem(ValueError):
    pass


def _posted_item(request: Request) -> bytes:
    upload = request.FILES.get("file")
    text = request.data.get("text")
    if upload is not None:
        if upload.size > MAX_PREDICT_BYTES:
            raise BadItem(f"the file is over {MAX_PREDICT_BYTES} bytes")
        return upload.read()
    if isinstance(text, str) and text.strip():
        return text.encode("utf-8")
    raise BadItem("send a file (image models) or a text (text models)")


def _bad_request(error: Exception) -> Response:
    return Response({"detail": str(error)}, status=status.HTTP_400_BAD_REQUEST)


class ModelPredictApi(APIView):
    """Encode the posted item with the model's encoder and call the contract's `predict` view."""

    permission_classes = [AllowAny]
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(request=PredictRequestSerializer, responses=PredictionSerializer)
    def post(self, request: Request, model_id: int) -> Response:
        model = published_model(model_id=model_id)
        try:
            index = predict_content(model=model, content=_posted_item(request))
        except (BadItem, EncodingError) as error:
            return _bad_request(error)
        return Response({"class_index": index, "class_name": model.class_names[index], "address": model.address})


class ContributeRequestSerializer(PredictRequestSerializer):
    label = serializers.IntegerField(help_text="class index")
    address = serializers.CharField(help_text="the contributing wallet")


class CallSerializer(serializers.Serializer):
    to = serializers.CharField()
    data = serializers.CharField()
    value = serializers.CharField(help_text="wei, decimal")
    gas = serializers.IntegerField(help_text="gas limit with a margin over the estimate")
    summary = serializers.CharField(help_text="what the wallet is about to sign, in words")


class ContributionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    contributor = serializers.CharField()
    label = serializers.CharField()
    deposit = serializers.CharField()
    remaining = serializers.CharField()
    seconds_left = serializers.IntegerField()
    model_agrees = serializers.BooleanField()
    own = serializers.BooleanField()
    call = serializers.DictField(allow_null=True, help_text="{action: refund|report, to, data} when it can be sent now")


class ModelContributeApi(APIView):
    """The addData transaction (and its deposit) for an item and label; the contributor's wallet sends it."""

    permission_classes = [AllowAny]
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(request=ContributeRequestSerializer, responses=CallSerializer)
    def post(self, request: Request, model_id: int) -> Response:
        model = published_model(model_id=model_id)
        sender = request.data.get("address", "")
        try:
            label = int(request.data.get("label", ""))
            if not (isinstance(sender, str) and sender.startswith("0x") and len(sender) == 42):
                raise BadItem("give the contributing wallet's address (0x… 40 hex digits)")
            return Response(contribute_call(model=model, content=_posted_item(request), label=label, sender=sender))
        except (NotCollaborative, TransactionFailed) as error:
            return Response({"detail": str(error)}, status=status.HTTP_409_CONFLICT)
        except (BadItem, EncodingError, ValueError) as error:
            return _bad_request(error)


class ModelContributionsApi(APIView):
    """Contributions still holding a deposit, as `address` sees them (its own and takeable ones)."""

    permission_classes = [AllowAny]

    @extend_schema(responses=ContributionSerializer(many=True))
    def get(self, request: Request, model_id: int) -> Response:
        model = published_model(model_id=model_id)
        address = request.query_params.get("address", "")
        if not (address.startswith("0x") and len(address) == 42):
            return _bad_request(ValueError("give ?address=0x… (40 hex digits)"))
        try:
            return Response(contributions_of(model=model, address=address))
        except NotCollaborative as error:
            return Response({"detail": str(error)}, status=status.HTTP_409_CONFLICT)


class PublishJobModelApi(APIView):
    """The job's requester publishes the learner's latest model of the settled job on chain."""

    @extend_schema(request=None, responses={201: ModelCardSerializer})
    def post(self, request: Request, job_id: int) -> Response:
        try:
            model = publish_job_model(job_id=job_id, requester=request.user)
        except CannotPublish as error:
            return Response({"detail": str(error)}, status=status.HTTP_409_CONFLICT)
        return Response(ModelCardSerializer(model).data, status=status.HTTP_201_CREATED)
