"""Reads of the learner's state: feature matrices (cached per job) and the learning curve."""
from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Sequence
from threading import Lock

from sklearn.pipeline import Pipeline

from apps.jobs.models import Item, Job
from apps.learning.features import image_features, text_features, text_vectorizer
from apps.learning.models import ModelVersion
from apps.learning.strategies import Features
from apps.storage.selectors import read_blob

# Decoding every blob again on each retrain would dominate it for image jobs; a job's items never
# change once it is live, so the matrix is cached in-process, keyed by the items' content ids.
FEATURE_CACHE_SIZE = 8
_feature_cache: OrderedDict[tuple[int, str], Features] = OrderedDict()
_feature_cache_lock = Lock()


def _job_cids(job: Job) -> list[str]:
    return list(Item.objects.filter(job=job).order_by("index").values_list("content_cid", flat=True))


def _compute_features(*, task_type: str, cids: Sequence[str]) -> Features:
    blobs = [read_blob(cid) for cid in cids]
    if task_type == Job.TaskType.TEXT_CLASSIFICATION:
        return text_features([blob.decode("utf-8") for blob in blobs])
    return image_features(blobs, kind="pixels+hog")


def standalone_model(*, job: Job, estimator):
    """What a requester can run on raw data: for a text job the TF-IDF the learner used (refitted on
    the job's items: the same texts give the same vectorizer) chained before the estimator, so
    `predict(["some text", ...])` works; for an image job the estimator itself (its input row is
    documented in the export)."""
    if job.task_type != Job.TaskType.TEXT_CLASSIFICATION:
        return estimator
    texts = [read_blob(cid).decode("utf-8") for cid in _job_cids(job)]
    return Pipeline([("tfidf", text_vectorizer().fit(texts)), ("classifier", estimator)])


def job_features(*, job: Job) -> Features:
    """One row per item of the job, in item index order."""
    cids = _job_cids(job)
    key = (job.pk, hashlib.sha256("\n".join(cids).encode()).hexdigest())
    with _feature_cache_lock:
        if key in _feature_cache:
            _feature_cache.move_to_end(key)
            return _feature_cache[key]
    features = _compute_features(task_type=job.task_type, cids=cids)
    with _feature_cache_lock:
        _feature_cache[key] = features
        while len(_feature_cache) > FEATURE_CACHE_SIZE:
            _feature_cache.popitem(last=False)
    return features


def learning_curve(*, job: Job) -> list[dict]:
    """[{version, labels_used, heldout_accuracy, trained_at}] oldest first, for the dashboard."""
    return list(
        ModelVersion.objects.filter(job=job)
        .order_by("version")
        .values("version", "labels_used", "heldout_accuracy", "trained_at")
    )


def latest_model_version(*, job: Job) -> ModelVersion | None:
    return ModelVersion.objects.filter(job=job).order_by("-version").first()
