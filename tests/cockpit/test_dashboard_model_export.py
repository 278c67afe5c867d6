"""GET /api/jobs/<id>/export/model: the latest model version as a joblib file that predicts."""

import io

import joblib
import numpy as np
import pytest
from rest_framework.test import APIClient
from sklearn.linear_model import LogisticRegression

from apps.jobs.models import Job
from apps.learning.models import ModelVersion
from apps.learning.selectors import job_features
from apps.storage.services import store_blob
from tests.factories import make_job

X = np.array([[0.0, 0.1], [0.1, 0.0], [1.0, 0.9], [0.9, 1.0], [0.0, 1.0], [0.1, 0.9]])
Y = np.array([0, 0, 1, 1, 2, 2])


def store_model(job, *, version: int, estimator) -> ModelVersion:
    buffer = io.BytesIO()
    joblib.dump(estimator, buffer)
    return ModelVersion.objects.create(
        job=job, version=version, labels_used=6, items_used=6, heldout_accuracy=0.75, strategy="margin",
        artifact_cid=store_blob(data=buffer.getvalue(), content_type="application/x-joblib"),
    )  # fmt: skip


@pytest.fixture
def job(requester):
    """An image job: its exported estimator takes the documented feature rows, here X."""
    return make_job(requester=requester.user, num_items=6, status="live", task_type=Job.TaskType.IMAGE_CLASSIFICATION)


def url(job) -> str:
    return f"/api/jobs/{job.pk}/export/model"


def test_the_download_loads_and_predicts(requester, job):
    store_model(job, version=1, estimator=LogisticRegression().fit(X[:4], Y[:4] % 2))
    latest = LogisticRegression().fit(X, Y)
    store_model(job, version=2, estimator=latest)

    response = requester.api.get(url(job))

    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="job-{job.pk}-model-v2.joblib"'
    bundle = joblib.load(io.BytesIO(response.content))
    assert (bundle["job"], bundle["version"], bundle["heldout_accuracy"], bundle["classes"]) == (
        job.pk, 2, 0.75, ["cat", "dog", "bird"],
    )  # fmt: skip
    predicted = bundle["estimator"].predict(X)
    assert predicted.tolist() == latest.predict(X).tolist()
    assert [bundle["classes"][i] for i in predicted[[0, 2, 4]]] == ["cat", "dog", "bird"]


def test_no_model_yet_is_a_clear_404(requester, job):
    response = requester.api.get(url(job))
    assert response.status_code == 404
    assert response.json()["detail"].startswith("no model yet")


def test_only_the_requester_downloads(stranger, job):
    store_model(job, version=1, estimator=LogisticRegression().fit(X, Y))
    assert stranger.api.get(url(job)).status_code == 404  # its existence is not revealed
    assert APIClient().get(url(job)).status_code in (401, 403)


def test_a_text_model_predicts_from_raw_text(requester):
    """The learner trains on TF-IDF rows; the download carries that vectorizer, so raw texts go in."""
    texts = ["a great film", "great acting", "an awful plot", "awful and dull", "great fun", "dull and awful"]
    job = make_job(requester=requester.user, num_items=6, status="live", texts=texts)
    trained = LogisticRegression().fit(job_features(job=job), [0, 0, 1, 1, 0, 1])
    store_model(job, version=1, estimator=trained)

    bundle = joblib.load(io.BytesIO(requester.api.get(url(job)).content))

    assert bundle["estimator"].predict(texts).tolist() == trained.predict(job_features(job=job)).tolist()
    assert [bundle["classes"][i] for i in bundle["estimator"].predict(["great great", "awful dull"])] == ["cat", "dog"]
