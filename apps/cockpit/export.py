"""A job's labels for its requester, as CSV or JSONL: one record per label with its provenance (worker
address, transaction, block), and the item's aggregated label and confidence on every record.
An item nobody has labelled yet appears once with empty label fields, so the export lists every item."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass

import joblib

from apps.jobs.kinds import kind_for
from apps.jobs.models import GoldAnswer, Job
from apps.labeling.models import Label
from apps.learning.selectors import latest_model_version, standalone_model
from apps.lib.errors import AppError
from apps.quality.selectors import item_aggregates
from apps.storage.selectors import read_blob

FORMATS = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson"}
COLUMNS = [
    "item",
    "source",
    "content_cid",
    "gold",
    "label",
    "worker",
    "status",
    "tx_hash",
    "block",
    "aggregated_label",
    "confidence",
]


def _records(job: Job) -> Iterator[dict]:
    names = dict(job.classes.values_list("index", "name"))
    class_labels = kind_for(job).takes_class_labels
    gold = dict(GoldAnswer.objects.filter(item__job=job).values_list("item_id", "label_index"))
    aggregates = item_aggregates(job)
    labels: dict[int, list[Label]] = {}
    live = Label.objects.filter(job=job).exclude(status=Label.Status.FAILED)
    for label in live.select_related("worker").order_by("item_id", "pk"):
        labels.setdefault(label.item_id, []).append(label)
    for item in job.items.order_by("index").only("pk", "index", "source_name", "content_cid"):
        aggregate, confidence = aggregates.get(item.pk, (None, None))
        common = {
            "item": item.index,
            "source": item.source_name,
            "content_cid": item.content_cid,
            "gold": names.get(gold.get(item.pk)),
            "aggregated_label": names.get(aggregate),
            "confidence": confidence,
        }
        empty = {"label": None, "worker": None, "status": None, "tx_hash": None, "block": None}
        for label in labels.get(item.pk) or [None]:
            provenance = (
                empty
                if label is None
                else {
                    # A box vote's value is its box count, not a class (the boxes: export/coco|yolo|voc).
                    "label": names.get(label.label_index) if class_labels else label.label_index,
                    "worker": label.worker.address,
                    "status": label.status,
                    "tx_hash": label.tx_hash or None,
                    "block": label.block_number,
                }
            )
            yield {column: {**common, **provenance}[column] for column in COLUMNS}


def export_job(*, job: Job, fmt: str) -> Iterator[str]:
    """The export as chunks of text, ready to stream; `fmt` is a key of FORMATS."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    if fmt == "jsonl":
        for record in _records(job):
            yield json.dumps(record) + "\n"
        return
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS)
    writer.writeheader()
    for record in _records(job):
        writer.writerow(record)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


MODEL_MEDIA_TYPE = "application/octet-stream"


class NoModelYet(AppError, LookupError):
    status = 404
    code = "no_model_yet"


@dataclass(frozen=True)
class ModelExport:
    filename: str
    data: bytes


def export_model(*, job: Job) -> ModelExport:
    """The latest model version as one joblib file holding a dict, so the file explains itself:
    `estimator` (scikit-learn; `predict` returns class indexes), `classes` (class names, position =
    index), `features` (what a row of its input is), `job`, `version`, `heldout_accuracy`,
    `labels_used`, `trained_at`. Raises NoModelYet before the learner's first model."""
    model = latest_model_version(job=job)
    if model is None:
        raise NoModelYet("no model yet: the learner trains its first one once two classes have confirmed labels")
    # The artifact is the learner's own joblib dump, read back checked against its content id.
    estimator = joblib.load(io.BytesIO(read_blob(model.artifact_cid)))
    bundle = {
        "estimator": standalone_model(job=job, estimator=estimator),
        "classes": list(job.classes.order_by("index").values_list("name", flat=True)),
        "features": kind_for(job).model_input,
        "job": job.pk,
        "version": model.version,
        "heldout_accuracy": model.heldout_accuracy,
        "labels_used": model.labels_used,
        "trained_at": model.trained_at.isoformat(),
    }
    buffer = io.BytesIO()
    joblib.dump(bundle, buffer)
    return ModelExport(filename=f"job-{job.pk}-model-v{model.version}.joblib", data=buffer.getvalue())
