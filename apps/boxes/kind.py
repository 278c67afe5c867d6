"""The bounding-box kind (apps.jobs.kinds.TaskKind): an answer is a set of boxes on an image, scored
by IoU against gold boxes; the chain counts a box vote by its number of boxes; the learner ranks
images by how much the crowd's boxes agree instead of training a model."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db.models import QuerySet

from apps.boxes import export
from apps.boxes.geometry import Box, score_boxes_against_gold
from apps.boxes.importers import parse_gold_boxes
from apps.boxes.models import BoxAnnotation
from apps.boxes.screening import screen_box_answers
from apps.boxes.selectors import box_agreement, box_settlement_input, gold_boxes_of
from apps.boxes.services import record_consensus, store_gold_boxes
from apps.boxes.settlement import compute_box_settlement
from apps.chain.relaying import RelayCall, box_batch_call
from apps.jobs.importers import ParsedItem
from apps.jobs.kinds import ExportFile, Screening, SettlementOutcome, relay_nonce
from apps.jobs.models import Job
from apps.labeling.models import LabelBatch
from apps.learning.features import image_features

# A box vote's on-chain label is min(box count, 15), whatever the job's classes: every 4-bit value.
ONCHAIN_BOX_CLASSES = 16


class BoxKind:
    task_type = Job.TaskType.BOUNDING_BOX
    fewest_classes = 1  # boxes of one class still say where
    takes_images = True
    takes_class_labels = False
    model_input = ""
    export_formats: Mapping[str, str] = {fmt: export.MEDIA_TYPE for fmt in export.FORMATS}

    def __init__(self) -> None:
        self.crowd_agreement = box_agreement

    def onchain_classes(self, job: Job) -> int:
        return ONCHAIN_BOX_CLASSES

    def parse_gold(self, *, job: Job, parsed: Sequence[ParsedItem], sizes: Sequence[tuple]) -> list[list[Box] | None]:
        by_name = {c.name: c.index for c in job.classes.all()}
        return [
            None
            if item.gold is None
            else parse_gold_boxes(where=item.where, cell=item.gold, class_index=by_name, width=width, height=height)
            for item, (width, height) in zip(parsed, sizes)
        ]

    def store_gold(self, *, gold_by_item: Mapping[int, Any]) -> None:
        store_gold_boxes(items_boxes=gold_by_item)

    def gold_answers(self, *, item_ids: Sequence[int]) -> Mapping[int, list[Box]]:
        return gold_boxes_of(item_ids=list(item_ids))

    def score_against_gold(self, *, answer: Any, gold: Any) -> float:
        return float(score_boxes_against_gold(answer, gold))

    def honeypot_answers(self, *, labels: QuerySet) -> list[tuple[Any, Any]]:
        # An answer counts once stored and not proven tampered (verified is None until the chain confirms it).
        answers = list(
            BoxAnnotation.objects.filter(label__in=labels).exclude(verified=False).values_list("item_id", "boxes")
        )
        gold = gold_boxes_of(item_ids=[item_id for item_id, _ in answers])
        return [(boxes, gold[item_id]) for item_id, boxes in answers if item_id in gold]

    def settlement_outcome(self, *, job: Job, withheld: frozenset[str]) -> SettlementOutcome:
        box_input = box_settlement_input(job=job, withheld=withheld)
        outcome = compute_box_settlement(box_input)

        def store_aggregates() -> None:
            record_consensus(job=job, consensus=outcome.consensus, answers=box_input.answers)

        return SettlementOutcome(outcome=outcome, store_aggregates=store_aggregates)

    def screening(self, *, job: Job) -> Screening:
        return screen_box_answers(job=job)

    def features(self, *, blobs: Sequence[bytes]) -> Any:
        return image_features(blobs, kind="pixels+hog")  # the cold start's diversity, not a model's input

    def standalone_model(self, *, estimator: Any, blobs: Iterable[bytes]) -> Any:
        raise ValueError("a bounding-box job trains no model")

    def export(self, *, job: Job, fmt: str) -> ExportFile:
        return ExportFile(
            content=export.export_boxes(job=job, fmt=fmt),
            media_type=export.MEDIA_TYPE,
            filename=f"job-{job.pk}-boxes-{fmt}.zip",
        )

    def relay_call(self, *, batch: LabelBatch) -> RelayCall:
        commitments = (
            BoxAnnotation.objects.filter(label__batch=batch).order_by("label_id").values_list("commitment", flat=True)
        )
        return box_batch_call(
            instance=batch.job.instance_address,
            worker=batch.worker.address,
            packed=batch.packed,
            commitments=list(commitments),
            nonce=relay_nonce(batch),
            signature=batch.signature,
        )


BOUNDING_BOX = BoxKind()
