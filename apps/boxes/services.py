"""Writes of the boxes app: a labeler's boxes for one image (stored, signed, relayed on chain as a box
vote), their confirmation from the chain, gold boxes, and consensus boxes.

Submission reuses the labeling app's batches: a box vote is a one-item LabelBatch whose label is
min(box count, 15), so item capacity, leases, nonces, failure release and confirmation work as for
class labels. The labeler's EIP-712 BoxBatch signature covers that label and the commitment (keccak
of the canonical boxes, geometry.box_commitment); the platform relays it to submitBoxesFor, so the
labeler needs no ETH and the contract, not the server, checks who voted what.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from django.conf import settings
from django.db import transaction

from apps.boxes.geometry import (
    Box,
    ConsensusBox,
    InvalidBoxes,
    box_commitment,
    box_from_dict,
    count_label,
    validate_boxes,
)
from apps.boxes.models import BoxAnnotation, ConsensusBoxes, GoldBoxes
from apps.chain.client import get_web3
from apps.chain.eip712 import box_batch_typed_data
from apps.chain.labels import unpack_labels
from apps.chain.models import ChainEvent
from apps.jobs.models import Item, Job
from apps.labeling.confirmation import confirm_batch, unconfirm_batches
from apps.labeling.events import LabelsConfirmed, VoteKind
from apps.labeling.models import Label, LabelBatch
from apps.labeling.qualification import answer_qualification
from apps.labeling.scheduling import schedule_send
from apps.labeling.services import (
    CheckedBatch,
    LabelingError,
    LabelInput,
    check_items,
    check_signature,
    next_nonce,
    push_to_worker,
    record_batch,
    update_honeypot_standing,
)
from apps.lib.events import emit


@dataclass(frozen=True)
class CheckedBoxes:
    """A box answer that passed the server's checks: its canonical boxes and its one-label batch."""

    batch: CheckedBatch
    item: Item
    boxes: list[Box]

    @property
    def commitment(self) -> bytes:
        return box_commitment(self.boxes)

    def typed_data(self, *, nonce: int) -> dict:
        return box_batch_typed_data(
            chain_id=get_web3().eth.chain_id,
            instance=self.batch.job.instance_address,
            worker=self.batch.worker.address,
            labels=self.batch.packed,
            commitments=[self.commitment],
            nonce=nonce,
        )


@dataclass(frozen=True)
class PreparedBoxes:
    nonce: int
    typed_data: dict
    commitment: str
    boxes: list[dict]


def check_boxes(
    *, job: Job, worker, item_id: int, boxes: Sequence[Mapping], answer_ms: int | None = None
) -> CheckedBoxes:
    """A bounding-box job, an admitted worker, an item of this job, and boxes inside its image, of
    the job's classes, no more than BOXES_MAX_PER_ITEM."""
    if job.task_type != Job.TaskType.BOUNDING_BOX:
        raise LabelingError("This job takes class labels, not boxes.")
    # Admission and membership before anything else; the label (the box count) is set below.
    checked = check_items(job=job, worker=worker, labels=[LabelInput(item_id=item_id, label=0)])
    item = Item.objects.get(pk=item_id)
    canonical = _checked_boxes(job=job, item=item, boxes=boxes)
    entry = LabelInput(item_id=item_id, label=count_label(canonical), answer_ms=answer_ms)
    return CheckedBoxes(batch=replace(checked, labels=[entry]), item=item, boxes=canonical)


def _checked_boxes(*, job: Job, item: Item, boxes: Sequence[Mapping]) -> list[Box]:
    try:
        return validate_boxes(
            [box_from_dict(box) for box in boxes],
            num_classes=job.classes.count(),
            width=item.width,
            height=item.height,
            max_boxes=settings.BOXES_MAX_PER_ITEM,
        )
    except InvalidBoxes as error:
        raise LabelingError(str(error)) from error


def prepare_boxes(*, job: Job, worker, item_id: int, boxes: Sequence[Mapping]) -> PreparedBoxes:
    """What the labeler signs for these boxes: the BoxBatch typed data with its next relay nonce."""
    checked = check_boxes(job=job, worker=worker, item_id=item_id, boxes=boxes)
    nonce = next_nonce(job=job, worker=worker)
    return PreparedBoxes(
        nonce=nonce,
        typed_data=checked.typed_data(nonce=nonce),
        commitment="0x" + checked.commitment.hex(),
        boxes=[box.as_dict() for box in checked.boxes],
    )


def submit_boxes(
    *, job: Job, worker, item_id: int, boxes: Sequence[Mapping], answer_ms: int | None, nonce: int, signature: str
) -> BoxAnnotation:
    """Store the labeler's boxes for one image as pending; the batch worker relays its signed box
    vote (apps/labeling/sending.py)."""
    checked = check_boxes(job=job, worker=worker, item_id=item_id, boxes=boxes, answer_ms=answer_ms)
    check_signature(
        job=job, worker=worker, typed_data=checked.typed_data(nonce=nonce), nonce=nonce, signature=signature
    )
    with transaction.atomic():
        batch = record_batch(checked=checked.batch, mode=LabelBatch.Mode.RELAYED, nonce=nonce, signature=signature)
        annotation = BoxAnnotation.objects.create(
            label=batch.labels.get(),
            job=job,
            item=checked.item,
            worker=worker,
            boxes=[box.as_dict() for box in checked.boxes],
            commitment="0x" + checked.commitment.hex(),
        )
        if checked.item.is_gold:
            update_honeypot_standing(job=job, worker=worker)
        schedule_send(batch_id=batch.pk)
    return BoxAnnotation.objects.select_related("label__batch").get(pk=annotation.pk)


# --- qualification ---------------------------------------------------------------------------


@dataclass(frozen=True)
class BoxFeedback:
    score: float  # this answer's mean IoU against the gold boxes (unmatched boxes 0)
    gold: list[dict]  # the gold boxes of the item just answered, never of one still to answer
    answered: int
    total: int
    passed: bool | None  # None until the round's last answer


def answer_box_qualification(*, job: Job, worker, item_id: int, boxes: Sequence[Mapping]) -> BoxFeedback:
    """Check and canonicalise the boxes drawn on one image of the running qualification round; the
    round itself (scoring, attempts, wait, admission) is the labeling app's answer_qualification.
    Qualification.answers holds the canonical boxes."""
    if job.task_type != Job.TaskType.BOUNDING_BOX:
        raise LabelingError("This job takes class labels, not boxes.")
    item = Item.objects.filter(pk=item_id, job=job).first()
    if item is None:
        raise LabelingError("That item is not part of your running qualification round.")
    canonical = _checked_boxes(job=job, item=item, boxes=boxes)
    feedback = answer_qualification(
        job=job, worker=worker, item_id=item_id, answer=[box.as_dict() for box in canonical]
    )
    return BoxFeedback(
        score=feedback.score,
        gold=[box.as_dict() for box in feedback.gold],
        answered=feedback.answered,
        total=feedback.total,
        passed=feedback.passed,
    )


# --- confirmation from the chain --------------------------------------------------------------


def confirm_boxes(event: ChainEvent) -> None:
    """BoxesSubmitted handler: the votes are confirmed as labels (labeling's confirm_batch), then
    each stored annotation is verified against the commitment the chain recorded for it. Boxes that
    do not hash to it (changed after signing, or a wallet vote for other boxes) are marked unverified
    and never count. The confirmation is announced once the boxes are verified: points and the
    learner count verified boxes only."""
    batch = confirm_batch(event)
    job = Job.objects.filter(instance_address__iexact=event.address).first()
    if job is None:
        return
    pairs = unpack_labels(bytes.fromhex(event.args["labels"].removeprefix("0x")))
    commitments = [c.lower() for c in event.args["commitments"]]
    by_index = dict(zip((index for index, _ in pairs), commitments))
    annotations = (
        BoxAnnotation.objects.select_for_update()
        .filter(
            job=job,
            worker__address__iexact=event.args["worker"],
            item__index__in=list(by_index),
            label__status=Label.Status.CONFIRMED,
            verified__isnull=True,
        )
        .select_related("item")
    )
    for annotation in annotations:
        stored = box_commitment(box_from_dict(box) for box in annotation.boxes)
        annotation.verified = "0x" + stored.hex() == by_index[annotation.item.index]
        annotation.save(update_fields=["verified"])
        push_to_worker(
            user_id=annotation.worker_id,
            message={"annotation": annotation.pk, "item": annotation.item_id, "verified": annotation.verified},
        )
    if batch is not None:
        emit(LabelsConfirmed(job_id=job.pk, worker_ids=(batch.worker_id,), kind=VoteKind.BOX))


def unconfirm_boxes(event: ChainEvent) -> None:
    """Undo of confirm_boxes: a box vote is a label batch too, back to pending like any other."""
    unconfirm_batches(event, kind=VoteKind.BOX)


# --- gold and consensus -----------------------------------------------------------------------


def store_gold_boxes(*, items_boxes: Mapping[int, Sequence[Box]]) -> None:
    """Gold boxes per item pk (the importer's, already checked against the image and classes)."""
    GoldBoxes.objects.bulk_create(
        GoldBoxes(item_id=item_id, boxes=[box.as_dict() for box in boxes]) for item_id, boxes in items_boxes.items()
    )


def record_consensus(
    *, job: Job, consensus: Mapping[int, Sequence[ConsensusBox]], answers: Mapping[int, Mapping]
) -> int:
    """Store settlement's consensus boxes per image (on-chain item id -> boxes; `answers` gives how
    many verified annotations each came from). Returns the number of images written."""
    items = dict(Item.objects.filter(job=job, index__in=list(consensus)).values_list("index", "pk"))
    for index, boxes in consensus.items():
        ConsensusBoxes.objects.update_or_create(
            item_id=items[index],
            defaults={"boxes": [c.as_dict() for c in boxes], "annotations": len(answers.get(index, {}))},
        )
    return len(consensus)
