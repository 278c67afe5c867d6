"""What the labeling page does for one image: prepare, sign the BoxBatch typed data, submit."""

from __future__ import annotations

from apps.chain.eip712 import sign_typed_data
from apps.labeling.sending import sweep_batches


def box_dicts(*boxes) -> list[dict]:
    return [{"class": c, "x": x, "y": y, "w": w, "h": h} for c, x, y, w, h in boxes]


def prepare(labeler, job, item_id: int, boxes: list[dict]):
    return labeler.api.post(
        f"/api/labeling/jobs/{job.pk}/boxes/prepare", {"item": item_id, "boxes": boxes}, format="json"
    )


def signed_boxes(labeler, job, item_id: int, boxes: list[dict], *, signer=None, answer_ms: int = 4200) -> dict:
    reply = prepare(labeler, job, item_id, boxes)
    assert reply.status_code == 200, reply.content
    prepared = reply.json()
    signature = sign_typed_data(account=signer or labeler.account, typed_data=prepared["typed_data"])
    return {
        "item": item_id,
        "boxes": boxes,
        "answer_ms": answer_ms,
        "nonce": prepared["nonce"],
        "signature": signature.to_0x_hex(),
    }


def post_boxes(labeler, job, body: dict):
    """Post the boxes, then do what the batch worker does right after: relay the vote."""
    reply = labeler.api.post(f"/api/labeling/jobs/{job.pk}/boxes/", body, format="json")
    sweep_batches()
    return reply


def submit(labeler, job, item_id: int, boxes: list[dict]):
    return post_boxes(labeler, job, signed_boxes(labeler, job, item_id, boxes))
