"""Reads of the boxes app: a labeler's annotation as the page shows it, and the verified answers,
gold and consensus boxes that scoring, settlement and exports use (never shown to labelers)."""
from __future__ import annotations

from apps.boxes.geometry import Box, box_from_dict
from apps.boxes.models import BoxAnnotation, ConsensusBoxes, GoldBoxes
from apps.boxes.settlement import BoxSettlementInput
from apps.jobs.models import Job
from apps.labeling.models import Label


def annotation_status(annotation: BoxAnnotation) -> str:
    """pending (recorded) → submitted (relayed) → confirmed (indexed, commitment matches); failed
    (the chain refused it, slot released) or rejected (on chain, but the chain's commitment is not
    these boxes)."""
    if annotation.verified is False:
        return "rejected"
    label = annotation.label
    if label.status in (Label.Status.CONFIRMED, Label.Status.FAILED):
        return label.status
    return label.batch.status


def annotation_view(annotation: BoxAnnotation) -> dict:
    label = annotation.label
    return {
        "id": annotation.pk,
        "item": annotation.item_id,
        "boxes": annotation.boxes,
        "commitment": annotation.commitment,
        "box_count": len(annotation.boxes),
        "status": annotation_status(annotation),
        "batch": label.batch_id,
        "tx_hash": label.batch.tx_hash,
        "error": label.batch.error,
        "answer_ms": label.answer_ms,
    }


def recent_annotations(*, job: Job, worker, limit: int = 20) -> list[BoxAnnotation]:
    annotations = BoxAnnotation.objects.filter(job=job, worker=worker).select_related("label__batch")
    return list(annotations.order_by("-pk")[:limit])


def gold_boxes_of(*, item_ids: list[int]) -> dict[int, list[Box]]:
    """item pk -> gold boxes, for those of `item_ids` that are gold images."""
    rows = GoldBoxes.objects.filter(item_id__in=item_ids).values_list("item_id", "boxes")
    return {item_id: [box_from_dict(b) for b in boxes] for item_id, boxes in rows}


def consensus_boxes(*, job: Job) -> dict[int, list[dict]]:
    """item pk -> consensus boxes (with confidence and workers), as settlement stored them."""
    return dict(ConsensusBoxes.objects.filter(item__job=job).values_list("item_id", "boxes"))


def box_settlement_input(*, job: Job) -> BoxSettlementInput:
    """The job's verified box answers and gold by on-chain item id and worker address."""
    answers: dict[int, dict[str, list[Box]]] = {}
    rows = BoxAnnotation.objects.filter(job=job, verified=True, label__status=Label.Status.CONFIRMED)
    txs = []
    for index, address, boxes, tx in rows.order_by("pk").values_list(
        "item__index", "worker__address", "boxes", "label__tx_hash"
    ):
        answers.setdefault(index, {})[address] = [box_from_dict(b) for b in boxes]
        txs.append(tx)
    gold = GoldBoxes.objects.filter(item__job=job).values_list("item__index", "boxes")
    return BoxSettlementInput(
        job={"id": job.pk, "chain_id": job.chain_id, "instance": job.instance_address, "onchain_id": job.onchain_id},
        n_items=job.items.count(),
        answers=answers,
        gold={index: [box_from_dict(b) for b in boxes] for index, boxes in gold},
        price=int(job.price_per_label),
        budget=int(job.budget),
        label_txs=txs,
    )
