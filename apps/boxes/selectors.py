"""Reads of the boxes app: a labeler's annotation as the page shows it, and the verified answers,
gold and consensus boxes that scoring, settlement and exports use (never shown to labelers)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from apps.boxes.geometry import MATCH_IOU, Box, box_from_dict, consolidate
from apps.boxes.models import BoxAnnotation, ConsensusBoxes, GoldBoxes
from apps.boxes.settlement import BoxSettlementInput, score_answers
from apps.jobs.models import Job
from apps.labeling.models import Label
from apps.reputation.selectors import weights_for


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


def box_settlement_input(*, job: Job, withheld: frozenset[str] = frozenset()) -> BoxSettlementInput:
    """The job's verified box answers and gold by on-chain item id and worker address; `withheld`:
    the addresses whose pay a review withheld."""
    answers: dict[int, dict[str, list[Box]]] = {}
    rows = BoxAnnotation.objects.filter(job=job, verified=True, label__status=Label.Status.CONFIRMED)
    txs = []
    workers: dict[str, int] = {}
    for index, worker_id, address, boxes, tx in rows.order_by("pk").values_list(
        "item__index", "worker_id", "worker__address", "boxes", "label__tx_hash"
    ):
        answers.setdefault(index, {})[address] = [box_from_dict(b) for b in boxes]
        txs.append(tx)
        workers[address] = worker_id
    weights = None
    if job.aggregation_method == Job.AggregationMethod.WEIGHTED_MAJORITY:
        # The voting weights class jobs use (reputation in the job's domain) weigh the box clusters.
        by_worker = weights_for(job=job, worker_ids=workers.values())
        weights = {address: float(by_worker[worker_id]) for address, worker_id in workers.items()}
    gold = GoldBoxes.objects.filter(item__job=job).values_list("item__index", "boxes")
    return BoxSettlementInput(
        job={"id": job.pk, "chain_id": job.chain_id, "instance": job.instance_address, "onchain_id": job.onchain_id},
        n_items=job.items.count(),
        answers=answers,
        gold={index: [box_from_dict(b) for b in boxes] for index, boxes in gold},
        price=int(job.price_per_label),
        budget=int(job.budget),
        label_txs=txs,
        weights=weights,
        withheld=withheld,
    )


@dataclass(frozen=True)
class ScoredBoxAnswer:
    item: int  # on-chain item id
    worker_id: int
    address: str
    boxes: list[Box]
    right: bool  # its score against the image's reference (gold, else consensus) >= MATCH_IOU
    on_gold: bool
    answer_ms: int | None


def scored_box_answers(*, job: Job) -> list[ScoredBoxAnswer]:
    """Every verified answer of the job, scored as settlement scores it: integrity's evidence."""
    data = box_settlement_input(job=job)
    scored = score_answers(data)
    rows = BoxAnnotation.objects.filter(job=job, verified=True, label__status=Label.Status.CONFIRMED)
    return [
        ScoredBoxAnswer(
            item=index,
            worker_id=worker_id,
            address=address,
            boxes=list(data.answers[index][address]),
            right=scored.scores[index][address] >= MATCH_IOU,
            on_gold=index in data.gold,
            answer_ms=answer_ms,
        )
        for index, worker_id, address, answer_ms in rows.order_by("pk").values_list(
            "item__index", "worker_id", "worker__address", "label__answer_ms"
        )
    ]


def box_agreement(*, job: Job, indexes: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    """Per image (in the order of `indexes`, on-chain item ids): how many verified answers it has, and
    how much they agree — the mean confidence of every box cluster among them (a cluster all answers
    drew counts 1, a box only one of three drew 1/3; answers that all say "no object" agree fully;
    0 with no answers). What the learner ranks box images by: box jobs train no model."""
    data = box_settlement_input(job=job)
    votes = np.zeros(len(indexes), dtype=np.int64)
    agreement = np.zeros(len(indexes))
    for position, index in enumerate(indexes):
        answers = data.answers.get(index)
        if not answers:
            continue
        clusters = consolidate(answers, weights=data.weights, min_confidence=0.0)
        votes[position] = len(answers)
        agreement[position] = float(np.mean([c.confidence for c in clusters])) if clusters else 1.0
    return votes, agreement
