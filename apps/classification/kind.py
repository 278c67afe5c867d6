"""The class-label kinds (apps.jobs.kinds.TaskKind): a label is one class index; gold is a class name
in the upload; the learner trains a classifier on image pixels+HOG or on TF-IDF of texts."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from sklearn.pipeline import Pipeline

from apps.anonymity.services import anonymous_pool_account
from apps.chain.relaying import RelayCall, label_batch_call
from apps.integrity.services import screen_class_labels
from apps.jobs.importers import ImportRefused, ParsedItem
from apps.jobs.kinds import ExportFile, Screening, SettlementOutcome, relay_nonce
from apps.jobs.models import GoldAnswer, Job
from apps.labeling.models import LabelBatch
from apps.learning.features import image_features, text_features, text_vectorizer
from apps.quality.selectors import JobLabels, job_labels
from apps.quality.services import store_item_aggregates
from apps.reputation.services import record_settlement_evidence
from apps.rewards.computation import SettlementInput, compute_settlement


class ClassificationKind:
    fewest_classes = 2
    takes_class_labels = True
    export_formats: Mapping[str, str] = {}
    crowd_agreement = None  # ranked by the learner's own model

    def __init__(self, *, task_type: str, images: bool) -> None:
        self.task_type = task_type
        self.takes_images = images
        self.model_input = (
            "apps.learning.features.image_features(images, kind='pixels+hog')"
            if images
            else "raw texts: the estimator is a Pipeline of the learner's TF-IDF and classifier"
        )

    def onchain_classes(self, job: Job) -> int:
        return job.classes.count()

    def parse_gold(self, *, job: Job, parsed: Sequence[ParsedItem], sizes: Sequence[tuple]) -> list[int | None]:
        by_name = {c.name: c.index for c in job.classes.all()}
        indexes: list[int | None] = []
        for item in parsed:
            if item.gold is not None and item.gold not in by_name:
                raise ImportRefused(
                    f"{item.where}: gold class {item.gold!r} is not a class of this job ({', '.join(by_name)})"
                )
            indexes.append(None if item.gold is None else by_name[item.gold])
        return indexes

    def store_gold(self, *, gold_by_item: Mapping[int, Any]) -> None:
        GoldAnswer.objects.bulk_create(GoldAnswer(item_id=pk, label_index=label) for pk, label in gold_by_item.items())

    def gold_answers(self, *, item_ids: Sequence[int]) -> Mapping[int, int]:
        return dict(GoldAnswer.objects.filter(item_id__in=item_ids).values_list("item_id", "label_index"))

    def score_against_gold(self, *, answer: Any, gold: Any) -> float:
        return 1.0 if answer == gold else 0.0

    def honeypot_answers(self, *, labels: QuerySet) -> list[tuple[Any, Any]]:
        return list(labels.values_list("label_index", "item__gold_answer__label_index"))

    def settlement_outcome(self, *, job: Job, withheld: frozenset[str]) -> SettlementOutcome:
        labels = job_labels(job=job)
        outcome = compute_settlement(settlement_input(job=job, labels=labels, withheld=withheld))

        def store_aggregates() -> None:
            store_item_aggregates(labels=labels, truth=outcome.inferred)
            record_settlement_evidence(job=job, labels=labels, truth=outcome.truth)

        return SettlementOutcome(outcome=outcome, store_aggregates=store_aggregates)

    def screening(self, *, job: Job) -> Screening:
        return screen_class_labels(job=job)

    def features(self, *, blobs: Sequence[bytes]) -> Any:
        if self.takes_images:
            return image_features(blobs, kind="pixels+hog")
        return text_features([blob.decode("utf-8") for blob in blobs])

    def standalone_model(self, *, estimator: Any, blobs: Iterable[bytes]) -> Any:
        """What a requester runs on raw items: for texts the learner's TF-IDF (refitted on the job's
        items: the same texts give the same vectorizer) chained before the estimator."""
        if self.takes_images:
            return estimator
        texts = [blob.decode("utf-8") for blob in blobs]
        return Pipeline([("tfidf", text_vectorizer().fit(texts)), ("classifier", estimator)])

    def export(self, *, job: Job, fmt: str) -> ExportFile:
        raise ValueError(f"a class-label job has no {fmt!r} export of its own")

    def relay_call(self, *, batch: LabelBatch) -> RelayCall:
        return label_batch_call(
            instance=batch.job.instance_address,
            worker=batch.worker.address,
            packed=batch.packed,
            nonce=relay_nonce(batch),
            signature=batch.signature,
        )


def settlement_input(*, job: Job, labels: JobLabels, withheld: frozenset[str] = frozenset()) -> SettlementInput:
    """The job's confirmed class labels (and anonymous ones) in settlement's terms."""
    if labels.item_indexes.tolist() != list(range(labels.n_items)):
        raise ValueError(f"job {job.pk}: item indexes are not 0..{labels.n_items - 1}")
    addresses = dict(get_user_model().objects.filter(pk__in=labels.worker_ids).values_list("pk", "address"))
    return SettlementInput(
        job={"id": job.pk, "chain_id": job.chain_id, "instance": job.instance_address, "onchain_id": job.onchain_id},
        n_items=labels.n_items,
        n_classes=labels.n_classes,
        items=labels.items,
        workers=labels.workers,
        labels=labels.labels,
        worker_addresses=[addresses[pk] for pk in labels.worker_ids],
        gold=labels.gold,
        price=int(job.price_per_label),
        budget=int(job.budget),
        label_txs=labels.tx_hashes,
        method=labels.method,
        worker_weights=labels.worker_weights,
        withheld=withheld,
        anonymous_nullifiers=labels.anonymous_nullifiers,
        anonymous_pool_account=anonymous_pool_account() if labels.anonymous_nullifiers else "",
    )


IMAGE_CLASSIFICATION = ClassificationKind(task_type=Job.TaskType.IMAGE_CLASSIFICATION, images=True)
TEXT_CLASSIFICATION = ClassificationKind(task_type=Job.TaskType.TEXT_CLASSIFICATION, images=False)
