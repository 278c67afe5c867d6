"""Reads of the learner's state: feature matrices (cached per job) and the learning curve."""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from threading import Lock

from apps.jobs.kinds import kind_for
from apps.jobs.models import Item, Job
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


def standalone_model(*, job: Job, estimator):
    """What a requester can run on raw data, as the job's task kind makes it: for a text job the
    learner's TF-IDF chained before the estimator, so `predict(["some text", ...])` works; for an
    image job the estimator itself (its input row is documented in the export)."""
    blobs = (read_blob(cid) for cid in _job_cids(job))  # read only by a kind that needs them
    return kind_for(job).standalone_model(estimator=estimator, blobs=blobs)


def job_features(*, job: Job) -> Features:
    """One row per item of the job, in item index order."""
    cids = _job_cids(job)
    key = (job.pk, hashlib.sha256("\n".join(cids).encode()).hexdigest())
    with _feature_cache_lock:
        if key in _feature_cache:
            _feature_cache.move_to_end(key)
            return _feature_cache[key]
    features = kind_for(job).features(blobs=[read_blob(cid) for cid in cids])
    with _feature_cache_lock:
        _feature_cache[key] = features
        while len(_feature_cache) > FEATURE_CACHE_SIZE:
            _feature_cache.popitem(last=False)
    return features


def learning_curve(*, job: Job) -> list[dict[str, object]]:
    """[{version, labels_used, heldout_accuracy, trained_at}] oldest first, for the dashboard."""
    return [
        dict(row)
        for row in ModelVersion.objects.filter(job=job)
        .order_by("version")
        .values("version", "labels_used", "heldout_accuracy", "trained_at")
    ]


def latest_model_version(*, job: Job) -> ModelVersion | None:
    return ModelVersion.objects.filter(job=job).order_by("-version").first()
