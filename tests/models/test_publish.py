"""Publishing a settled image job's learner model on chain, its model card, and predicting through
the API, against the real anvil chain and the real learner code."""

from __future__ import annotations

import io

import joblib
import pytest
from django.test import Client

from apps.chain.onchain_models import quantise
from apps.jobs.models import Job
from apps.learning.selectors import job_features
from apps.models.encoders import encode_images, encode_text
from apps.models.models import OnchainModel
from apps.rewards.models import Settlement
from apps.runtime.demo import CLASS_NAMES, digit_png
from apps.storage.selectors import read_blob
from tests.factories import make_job, make_user
from tests.models.jobs import GOLD, REPORT_CID, image_job, learn


@pytest.fixture
def requester(roles):
    return make_user(roles.requester.address)


@pytest.fixture
def settled(deployed, requester):
    job = image_job(requester)
    Settlement.objects.create(job=job, step=Settlement.Step.DONE, report_cid=REPORT_CID)
    return job, learn(job)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_image_encoder_gives_the_learners_features_in_fixed_point(settled):
    job, _ = settled
    X = job_features(job=job)
    rows = encode_images([digit_png(row) for row in range(3)])
    assert rows == [quantise(X[i]) for i in range(3)]
    assert len(rows[0]) == 1348


def test_text_encoder_hashes_the_learners_tokens():
    x = encode_text("The cat sat. The cat!", num_features=64)
    assert x == sorted(x) and all(0 <= i < 64 for i in x)
    # "the", "cat", "sat", "the cat" (twice), "cat sat", "sat the": the learner's unigrams + bigrams
    assert len(x) == 9
    assert encode_text("the CAT sat the cat", num_features=64) == x


def test_publish_records_the_model_with_its_accuracy_on_and_off_chain(settled, requester, w3):
    job, version = settled
    response = signed_in(requester).post(f"/api/jobs/{job.pk}/publish-model")
    assert response.status_code == 201, response.content
    card = response.json()
    assert card["job_id"] == job.pk and card["model_version"] == 1 and card["settlement_report_cid"] == REPORT_CID
    assert card["class_names"] == CLASS_NAMES and card["num_features"] == 1348 and card["gold_items"] == GOLD
    assert card["offchain_accuracy"] == pytest.approx(version.heldout_accuracy)
    assert card["quantisation_loss_points"] <= 1.0
    assert w3.eth.get_code(card["address"])
    # Publishing the same version again sends nothing and returns the same model.
    again = signed_in(requester).post(f"/api/jobs/{job.pk}/publish-model")
    assert again.json()["address"] == card["address"] and OnchainModel.objects.count() == 1
    assert Client().get("/api/models").json()[0]["address"] == card["address"]


def test_predict_through_the_api_matches_the_learner(settled, requester):
    job, version = settled
    model = signed_in(requester).post(f"/api/jobs/{job.pk}/publish-model").json()
    estimator = joblib.load(io.BytesIO(read_blob(version.artifact_cid)))
    X = job_features(job=job)
    for row in (0, 7, 13):
        png = digit_png(row)
        answer = Client().post(f"/api/models/{model['id']}/predict", {"file": io.BytesIO(png)}, format="multipart")
        assert answer.status_code == 200, answer.content
        assert answer.json()["class_index"] == int(estimator.predict(X[row : row + 1])[0])
        assert answer.json()["class_name"] == CLASS_NAMES[answer.json()["class_index"]]
    bad = Client().post(f"/api/models/{model['id']}/predict", {"file": io.BytesIO(b"not an image")}, format="multipart")
    assert bad.status_code == 400 and "image" in bad.json()["detail"]
    empty = Client().post(f"/api/models/{model['id']}/predict", {})
    assert empty.status_code == 400


def test_only_the_requester_of_a_settled_image_job_publishes(deployed, requester, roles, settled):
    job, _ = settled
    stranger = make_user(roles.stranger.address)
    assert signed_in(stranger).post(f"/api/jobs/{job.pk}/publish-model").status_code == 404
    assert Client().post(f"/api/jobs/{job.pk}/publish-model").status_code == 403
    live = image_job(requester, status=Job.Status.LIVE)
    refused = signed_in(requester).post(f"/api/jobs/{live.pk}/publish-model")
    assert refused.status_code == 409 and "settled" in refused.json()["detail"]
    text_job = make_job(requester=requester, status=Job.Status.SETTLED)
    assert signed_in(requester).post(f"/api/jobs/{text_job.pk}/publish-model").status_code == 409
    no_model = image_job(requester)
    assert "not trained" in signed_in(requester).post(f"/api/jobs/{no_model.pk}/publish-model").json()["detail"]
    assert not OnchainModel.objects.exists()


def test_model_pages_show_the_card(settled, requester):
    job, _ = settled
    model = signed_in(requester).post(f"/api/jobs/{job.pk}/publish-model").json()
    listing = Client().get("/models")
    assert listing.status_code == 200 and f"/models/{model['id']}" in listing.content.decode()
    page = Client().get(f"/models/{model['id']}").content.decode()
    assert model["address"] in page and REPORT_CID in page and "data-predict-form" in page
    assert Client().get("/models/999").status_code == 404
    schema = Client().get("/api/schema/").content.decode()
    assert "/api/models/{model_id}/predict" in schema and "/api/jobs/{job_id}/publish-model" in schema
