"""Reads of the boxes app: a labeler's annotation as the page shows it, and the verified answers,
gold and consensus boxes that scoring, settlement and exports use (never shown to labelers)."""
from __future__ import annotations

from apps.boxes.geometry import Box, box_from_dict
from apps.boxes.models import BoxAnnotation, ConsensusBoxes, GoldBoxes
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


def verified_answers(*, job: Job) -> dict[int, dict[int, list[Box]]]:
    """item pk -> worker pk -> boxes, for annotations confirmed on chain with a matching commitment."""
    answers: dict[int, dict[int, list[Box]]] = {}
    rows = BoxAnnotation.objects.filter(job=job, verified=True, label__status=Label.Status.CONFIRMED)
    for item_id, worker_id, boxes in rows.order_by("pk").values_list("item_id", "worker_id", "boxes"):
        answers.setdefault(item_id, {})[worker_id] = [box_from_dict(b) for b in boxes]
    return answers


def gold_boxes(*, job: Job) -> dict[int, list[Box]]:
    """item pk -> gold boxes of the job's gold images."""
    rows = GoldBoxes.objects.filter(item__job=job).values_list("item_id", "boxes")
    return {item_id: [box_from_dict(b) for b in boxes] for item_id, boxes in rows}


def consensus_boxes(*, job: Job) -> dict[int, list[dict]]:
    """item pk -> consensus boxes (with confidence and workers), as settlement stored them."""
    return dict(ConsensusBoxes.objects.filter(item__job=job).values_list("item_id", "boxes"))
