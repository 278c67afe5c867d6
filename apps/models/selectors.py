"""Reads of published models: the list, one model's card, and a prediction (an eth_call)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from web3 import Web3

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


class NotCollaborative(LookupError):
    """The model has no trainer: nobody can add data to it."""


def _trainer(model: OnchainModel):
    if not model.trainer_address:
        raise NotCollaborative("this model is read-only: it has no trainer to add data through")
    return om.trainer_handle(address=model.trainer_address, w3=get_web3())


def contribute_call(*, model: OnchainModel, content: bytes, label: int, sender: str) -> dict:
    """The addData transaction for (item, label), the deposit it carries now, and what it means in
    words (shown before the wallet signs), for `sender`'s wallet. Raises EncodingError or ValueError
    for bad input, TransactionFailed when the trainer would refuse it."""
    if not 0 <= label < len(model.class_names):
        raise ValueError(f"label must be a class index 0..{len(model.class_names) - 1}")
    trainer = _trainer(model)
    x = encode_content(encoder=model.encoder, content=content, num_features=model.num_features)
    call = om.add_data_call(trainer=trainer, x=x, label=label, sender=Web3.to_checksum_address(sender))
    rules = om.trainer_rules(trainer=trainer)
    deposit = call["value"]
    summary = (
        f"You add this item labelled “{model.class_names[label]}” to the model and deposit {deposit} wei "
        f"({deposit / 10**18:.6f} ETH). After {rules.refund_wait} s you get it all back if the model, without "
        f"your own update, still agrees with your label; if it disagrees, contributors with good data may take it."
    )
    return {"to": call["to"], "data": call["data"], "value": str(deposit), "gas": call["gas"], "summary": summary}


def contributions_of(*, model: OnchainModel, address: str) -> list[dict]:
    """The trainer's contributions still holding a deposit (or, in points mode, not yet judged), from
    its DataAdded events, as `address` sees them, each with the refund (own) or report (others') call
    when the trainer would accept it from `address` now."""
    trainer = _trainer(model)
    w3 = trainer.w3
    now = w3.eth.get_block("latest")["timestamp"]
    rules = om.trainer_rules(trainer=trainer)
    handle = om.model_handle(address=model.address, kind=model.kind, w3=w3)
    mine = address.lower()
    address = Web3.to_checksum_address(address)
    points_mode = trainer.functions.baseDeposit().call() == 0
    rows = []
    for c in om.contributions(trainer=trainer):
        remaining = trainer.functions.remainingDeposit(c.id).call()
        if remaining == 0 and not points_mode:
            continue
        agrees = handle.functions.predictWithout(list(c.x), c.label, c.predicted_at_add).call() == c.label
        own = c.contributor.lower() == mine
        ripe = now >= c.added_at + rules.refund_wait
        call = None
        if ripe:
            call = om.settle_call(trainer=trainer, contribution=c, action="refund" if own else "report", sender=address)
        rows.append(
            {
                "id": c.id,
                "contributor": c.contributor,
                "label": model.class_names[c.label],
                "deposit": str(c.deposit),
                "remaining": str(remaining),
                "seconds_left": max(0, c.added_at + rules.refund_wait - now),
                "model_agrees": agrees,
                "own": own,
                "call": call,
            }
        )
    return rows
