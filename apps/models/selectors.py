"""Reads of published models: the list, one model's card, and a prediction (an eth_call)."""
from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from apps.chain import onchain_models as om
from apps.chain.client import get_web3
from apps.jobs.models import Job
from apps.models.encoders import encode_content
from apps.models.models import OnchainModel
from apps.rewards.models import Settlement

MAX_PREDICT_BYTES = 1024 * 1024


def settlement_report_cid(*, job: Job) -> str:
    """The content id of the settlement report the job's payouts were posted with ('' if none)."""
    return Settlement.objects.filter(job=job).values_list("report_cid", flat=True).first() or ""


def published_models() -> QuerySet[OnchainModel]:
    return OnchainModel.objects.select_related("job", "publisher")


def published_model(*, model_id: int) -> OnchainModel:
    found = published_models().filter(pk=model_id).first()
    if found is None:
        raise Http404("no such model")
    return found


def predict_content(*, model: OnchainModel, content: bytes) -> int:
    """Encode `content` with the model's encoder and ask the contract (eth_call: no gas, no key).
    Raises EncodingError for content the encoder refuses."""
    x = encode_content(encoder=model.encoder, content=content, num_features=model.num_features)
    handle = om.model_handle(address=model.address, kind=model.kind, w3=get_web3())
    return om.predict(model=handle, x=x)
