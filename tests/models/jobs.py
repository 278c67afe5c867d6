"""A settled image job of the demo's digits with a learner model version, in the database: what
publishing needs (shared by the publishing and browser tests)."""

from __future__ import annotations

import io

import joblib

from apps.jobs.models import GoldAnswer, Item, Job
from apps.learning.engine import train
from apps.learning.models import ModelVersion
from apps.learning.selectors import job_features
from apps.runtime.demo import CLASS_NAMES, digit_png, digit_truth
from apps.storage.services import store_blob
from tests.factories import make_job

ROWS = 120
GOLD = 20
REPORT_CID = "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy"


def image_job(requester, *, status=Job.Status.SETTLED) -> Job:
    job = make_job(
        requester=requester,
        num_items=0,
        class_names=tuple(CLASS_NAMES),
        status=status,
        task_type=Job.TaskType.IMAGE_CLASSIFICATION,
    )
    pngs = [digit_png(row) for row in range(ROWS)]
    items = Item.objects.bulk_create(
        Item(
            job=job,
            index=i,
            content_cid=store_blob(data=png, content_type="image/png"),
            media_type="image/png",
            source_name=f"digit-{i}.png",
            is_gold=i < GOLD,
            labels_needed=3,
        )
        for i, png in enumerate(pngs)
    )
    GoldAnswer.objects.bulk_create(GoldAnswer(item=items[i], label_index=digit_truth(pngs[i])) for i in range(GOLD))
    return job


def learn(job: Job) -> ModelVersion:
    """The learner's model as retrain_job stores it, trained here on the true labels of non-gold items."""
    X = job_features(job=job)
    y = [digit_truth(digit_png(row)) for row in range(ROWS)]
    learner = train(X_labeled=X[GOLD:], y_labeled=y[GOLD:], classes=list(range(10)))
    buffer = io.BytesIO()
    joblib.dump(learner.estimator, buffer)
    return ModelVersion.objects.create(
        job=job,
        version=1,
        labels_used=300,
        items_used=ROWS - GOLD,
        heldout_accuracy=learner.score(X[:GOLD], y[:GOLD]),
        strategy="uncertainty",
        artifact_cid=store_blob(data=buffer.getvalue()),
    )
