"""A job's minimum tier, enforced by the server: the board shows what unlocks it, and qualification,
next items and batches refuse a labeler below it."""
import pytest
from rest_framework.test import APIClient

from apps.gamification.models import JobTierRequirement, Tier, WorkerProgress
from apps.labeling.models import Qualification
from tests.factories import make_job, make_user

pytestmark = pytest.mark.django_db


def signed_in(user) -> APIClient:
    api = APIClient()
    api.force_login(user)  # a real session: next-items is a plain Django view
    return api


@pytest.fixture
def gold_job():
    requester = make_user("0x" + "21" * 20)
    job = make_job(requester=requester, num_items=10, gold={i: 0 for i in range(6)}, status="live",
                   instance_address="0x" + "cd" * 20, name="High-paying job")
    api = signed_in(requester)
    assert api.post(f"/api/jobs/{job.pk}/min-tier", {"tier": "gold"}, format="json").status_code == 200
    return job


def labeler(tier: str):
    user = make_user("0x" + "22" * 20)
    WorkerProgress.objects.update_or_create(worker=user, defaults={"tier": tier})
    return user


def test_below_the_tier_every_labeling_endpoint_refuses(gold_job):
    user = labeler(Tier.SILVER)
    # Admitted already (say before the requester raised the bar): the gate must still hold.
    Qualification.objects.create(job=gold_job, worker=user, passed=True, admitted_tx="0x" + "ef" * 32)
    api = signed_in(user)

    qualification = api.post(f"/api/jobs/{gold_job.pk}/qualification")
    items = api.post(f"/api/jobs/{gold_job.pk}/next-items", {"count": 2}, format="json")
    labels = [{"item": gold_job.items.last().pk, "label": 0}]
    batch = api.post(f"/api/jobs/{gold_job.pk}/batches", {"mode": "wallet", "labels": labels}, format="json")

    for response in (qualification, items, batch):
        assert response.status_code == 403, response.content
        assert "open to gold tier and above" in response.json()["detail"]
    assert not gold_job.labels.exists()


def test_labels_of_items_served_before_the_bar_rose_are_still_taken(gold_job):
    user = labeler(Tier.GOLD)
    Qualification.objects.create(job=gold_job, worker=user, passed=True, admitted_tx="0x" + "ef" * 32)
    api = signed_in(user)
    (served,) = api.post(f"/api/jobs/{gold_job.pk}/next-items", {"count": 1}, format="json").json()["items"]
    WorkerProgress.objects.filter(worker=user).update(tier=Tier.SILVER)  # e.g. a reorganisation took labels back

    other = gold_job.items.exclude(pk=served["id"]).filter(is_gold=False).first()
    refused = api.post(f"/api/jobs/{gold_job.pk}/batches", {"mode": "wallet", "labels": [
        {"item": served["id"], "label": 0}, {"item": other.pk, "label": 0}]}, format="json")
    taken = api.post(f"/api/jobs/{gold_job.pk}/batches", {"mode": "wallet", "labels": [
        {"item": served["id"], "label": 0}]}, format="json")

    assert refused.status_code == 403 and taken.status_code == 201
    assert list(gold_job.labels.values_list("item_id", flat=True)) == [served["id"]]
    assert api.post(f"/api/jobs/{gold_job.pk}/next-items", {"count": 1}, format="json").status_code == 403


def test_at_the_tier_the_job_serves(gold_job):
    user = labeler(Tier.GOLD)
    Qualification.objects.create(job=gold_job, worker=user, passed=True, admitted_tx="0x" + "ef" * 32)
    response = signed_in(user).post(f"/api/jobs/{gold_job.pk}/next-items", {"count": 2}, format="json")
    assert response.status_code == 200 and len(response.json()["items"]) == 2


def test_the_board_shows_a_locked_job_with_what_unlocks_it(gold_job, client):
    client.force_login(labeler(Tier.BRONZE))
    page = client.get("/jobs/").content.decode()
    assert 'data-locked="gold"' in page and "2000 points and 90% gold accuracy" in page
    assert f"/jobs/{gold_job.pk}/label" not in page


def test_only_the_requester_sets_a_tier_and_only_a_known_one(gold_job):
    stranger = signed_in(make_user("0x" + "23" * 20))
    assert stranger.post(f"/api/jobs/{gold_job.pk}/min-tier", {"tier": "bronze"}, format="json").status_code == 404
    owner = signed_in(gold_job.requester)
    assert owner.post(f"/api/jobs/{gold_job.pk}/min-tier", {"tier": "platinum"}, format="json").status_code == 400
    assert JobTierRequirement.objects.get(job=gold_job).min_tier == Tier.GOLD
    assert owner.post(f"/api/jobs/{gold_job.pk}/min-tier", {"tier": "bronze"}, format="json").status_code == 200
    assert not JobTierRequirement.objects.filter(job=gold_job).exists()


def test_the_requester_page_shows_the_jobs_minimum_tier(gold_job, client):
    client.force_login(gold_job.requester)
    page = client.get(f"/requester/jobs/{gold_job.pk}/").content.decode()
    assert '<option value="gold" selected>' in page and "js/jobs/min-tier.js" in page
