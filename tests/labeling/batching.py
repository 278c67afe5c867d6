"""Helpers of the batch tests: serve items, sign a batch the way the page does, post it."""

from __future__ import annotations

from apps.chain.eip712 import sign_typed_data
from apps.labeling.sending import sweep_batches


def serve(labeler, job, count: int) -> list[dict]:
    reply = labeler.api.post(f"/api/jobs/{job.pk}/next-items", {"count": count}, format="json")
    assert reply.status_code == 200, reply.content
    return reply.json()["items"]


def labels_for(items: list[dict], label: int = 1) -> list[dict]:
    return [{"item": item["id"], "label": label, "answer_ms": 800} for item in items]


def signed_batch(labeler, job, labels: list[dict], *, signer=None) -> dict:
    """What the page posts for a relayed batch: prepare, sign the typed data (by `signer`, the
    labeler's own key unless told otherwise), and the labels."""
    prepared = labeler.api.post(f"/api/jobs/{job.pk}/batches/prepare", {"labels": labels}, format="json")
    assert prepared.status_code == 200, prepared.content
    prepared = prepared.json()
    signature = sign_typed_data(account=signer or labeler.account, typed_data=prepared["typed_data"])
    return {"mode": "relayed", "labels": labels, "nonce": prepared["nonce"], "signature": signature.to_0x_hex()}


def post_batch(labeler, job, body: dict, *, send: bool = True):
    """Post the batch; then (`send`) do what the batch worker does right after: send it."""
    reply = labeler.api.post(f"/api/jobs/{job.pk}/batches", body, format="json")
    if send:
        sweep_batches()
    return reply
