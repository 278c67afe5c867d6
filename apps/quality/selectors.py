"""Reads: a job's confirmed labels as aggregation input, and the stored per-item truth."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from apps.anonymity.selectors import confirmed_labels as confirmed_anonymous_labels
from apps.jobs.models import GoldAnswer, Item, Job
from apps.labeling.models import Label
from apps.quality.models import ItemAggregate
from apps.reputation.selectors import weights_for


@dataclass(frozen=True)
class JobLabels:
    """A job's confirmed labels as index arrays. Item position p is the item whose on-chain index is
    `item_indexes[p]` (items in index order); worker position w < len(worker_ids) is the wallet
    `worker_ids[w]`, and each position after those is one anonymous label, `anonymous_nullifiers[w -
    len(worker_ids)]`: anonymous labels cannot be linked to each other, so each counts as its own voter."""

    item_ids: np.ndarray  # database id per item position
    item_indexes: np.ndarray  # on-chain item id per item position
    worker_ids: list[int]
    items: np.ndarray  # per label: item position
    workers: np.ndarray  # per label: worker position
    labels: np.ndarray  # per label: class index
    tx_hashes: list[str]  # per label: the transaction that carried it
    gold: dict[int, int]  # item position -> known class
    n_classes: int
    method: str  # the job's aggregation method (apps.quality.aggregation.METHODS)
    worker_weights: np.ndarray | None  # per worker position: voting weight, for weighted majority
    anonymous_nullifiers: list[str]

    @property
    def n_items(self) -> int:
        return len(self.item_ids)

    @property
    def n_workers(self) -> int:
        return len(self.worker_ids) + len(self.anonymous_nullifiers)


def job_labels(*, job: Job) -> JobLabels:
    items = list(Item.objects.filter(job=job).order_by("index").values_list("id", "index"))
    position = {item_id: p for p, (item_id, _) in enumerate(items)}
    rows = list(
        Label.objects.filter(job=job, status=Label.Status.CONFIRMED)
        .order_by("item__index", "worker_id")
        .values_list("item_id", "worker_id", "label_index", "tx_hash")
    )
    worker_ids = sorted({worker for _, worker, _, _ in rows})
    worker_position = {worker: w for w, worker in enumerate(worker_ids)}
    anonymous = confirmed_anonymous_labels(job=job) if job.anonymous else []
    gold = dict(GoldAnswer.objects.filter(item__job=job).values_list("item_id", "label_index"))
    weights = None
    if job.aggregation_method == Job.AggregationMethod.WEIGHTED_MAJORITY:
        by_worker = weights_for(job=job, worker_ids=worker_ids)
        # an anonymous label is its own voter with no reputation: weight 1
        weights = np.array([by_worker[worker] for worker in worker_ids] + [1.0] * len(anonymous), dtype=np.float64)
    return JobLabels(
        item_ids=np.array([item_id for item_id, _ in items], dtype=np.int64),
        item_indexes=np.array([index for _, index in items], dtype=np.int64),
        worker_ids=worker_ids,
        items=np.array([position[item] for item, *_ in (*rows, *anonymous)], dtype=np.int64),
        workers=np.array(
            [worker_position[worker] for _, worker, _, _ in rows]
            + list(range(len(worker_ids), len(worker_ids) + len(anonymous))),
            dtype=np.int64,
        ),
        labels=np.array([label for _, _, label, _ in rows] + [label for _, label, _, _ in anonymous], dtype=np.int64),
        tx_hashes=[tx for *_, tx in (*rows, *anonymous)],
        gold={position[item_id]: label for item_id, label in gold.items()},
        n_classes=job.classes.count(),
        method=job.aggregation_method,
        worker_weights=weights,
        anonymous_nullifiers=[nullifier for _, _, nullifier, _ in anonymous],
    )


def item_aggregates(job: Job) -> dict[int, tuple[int, float]]:
    """item id -> (aggregated label, confidence) for every item the crowd has labelled, as the
    worker last aggregated it (export and dashboard read this)."""
    rows = ItemAggregate.objects.filter(item__job=job).values_list("item_id", "label", "confidence")
    return {item_id: (label, confidence) for item_id, label, confidence in rows}
