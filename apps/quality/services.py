"""Writes: per-item truth from a job's confirmed labels."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction

from apps.jobs.models import Job
from apps.quality.models import ItemAggregate
from apps.quality.selectors import JobLabels, job_labels
from apps.quality.truth import Truth, infer_truth


def infer_job_truth(*, labels: JobLabels) -> Truth:
    return infer_truth(
        items=labels.items,
        workers=labels.workers,
        labels=labels.labels,
        n_items=labels.n_items,
        n_workers=labels.n_workers,
        n_classes=labels.n_classes,
        gold=labels.gold,
        method=labels.method,
        worker_weights=labels.worker_weights,
    )


@transaction.atomic
def store_item_aggregates(*, labels: JobLabels, truth: Truth, model_labels: Mapping[int, int] | None = None) -> int:
    """Upsert one ItemAggregate per labelled item; `model_labels` maps item position -> the
    learner's prediction. Returns the number of rows written."""
    model_labels = model_labels or {}
    rows = [
        ItemAggregate(
            item_id=int(labels.item_ids[p]),
            label=int(truth.result.labels[p]),
            confidence=float(truth.result.confidence[p]),
            method=truth.method,
            votes=int(truth.votes[p]),
            model_label=model_labels.get(p),
        )
        for p in truth.votes.nonzero()[0].tolist()
    ]
    ItemAggregate.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["item"],
        update_fields=["label", "confidence", "method", "votes", "model_label", "updated_at"],
        batch_size=1000,
    )
    return len(rows)


def aggregate_job(*, job_id: int) -> Truth:
    """Aggregate the job's confirmed labels now and store the result per item."""
    labels = job_labels(job=Job.objects.get(pk=job_id))
    truth = infer_job_truth(labels=labels)
    store_item_aggregates(labels=labels, truth=truth)
    return truth
