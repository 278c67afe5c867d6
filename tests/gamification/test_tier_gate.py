"""A job's minimum tier, enforced by the server: the board shows what unlocks it, and qualification,
next items and batches refuse a labeler below it."""

import pytest
from rest_framework.test import APIClient

from apps.gamification.models import Tier, WorkerProgress
from apps.gamification.selectors import TierLock, tier_lock
from apps.jobs.models import Job
from apps.labeling.models import Qualification
from tests.factories import make_job, make_user

# next-items reads the job, admission and tier in raw SQL (labeling.selectors.job_for_serving)
pytestmark = [pytest.mark.django_db, pytest.mark.postgres_too]


def signed_in(user) -> APIClient:
    api = APIClient()
    api.force_login(user)  # a real session: next-items is a plain Django view
    return api


@pytest.fixture
def gold_job():
    requester = make_user("0x" + "21" * 20)
    job = make_job(
        requester=requester,
        num_items=10,
        gold={i: 0 for i in range(6)},
        status="live",
        instance_address="0x" + "cd" * 20,
        name="High-paying job",
    )
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
    refused = api.post(
        f"/api/jobs/{gold_job.pk}/batches",
        {"mode": "wallet", "labels": [{"item": served["id"], "label": 0}, {"item": other.pk, "label": 0}]},
        format="json",
    )
    taken = api.post(
        f"/api/jobs/{gold_job.pk}/batches",
        {"mode": "wallet", "labels": [{"item": served["id"], "label": 0}]},
        format="json",
    )

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
    assert Job.objects.get(pk=gold_job.pk).min_tier == Tier.GOLD
    assert owner.post(f"/api/jobs/{gold_job.pk}/min-tier", {"tier": "bronze"}, format="json").status_code == 200
    assert Job.objects.get(pk=gold_job.pk).min_tier == ""


def test_the_requester_page_shows_the_jobs_minimum_tier(gold_job, client):
    client.force_login(gold_job.requester)
    page = client.get(f"/requester/jobs/{gold_job.pk}/").content.decode()
    assert '<option value="gold" selected>' in page and "js/jobs/min-tier.js" in page


def test_the_job_api_shows_the_minimum_tier_read_only(gold_job):
    owner = signed_in(gold_job.requester)
    assert owner.get(f"/api/jobs/{gold_job.pk}").json()["min_tier"] == Tier.GOLD
    assert owner.post(f"/api/jobs/{gold_job.pk}/min-tier", {"tier": "bronze"}, format="json").status_code == 200
    (listed,) = owner.get("/api/jobs/").json()
    assert listed["min_tier"] == ""


def test_a_job_open_to_all_costs_no_query(django_assert_num_queries):
    job = Job.objects.get(pk=make_job(requester=make_user("0x" + "21" * 20), status="live").pk)
    worker = labeler(Tier.BRONZE)
    with django_assert_num_queries(0):
        assert tier_lock(job=job, worker=worker) is None


def test_a_silver_job_locks_bronze_out_and_lets_silver_in():
    from apps.gamification.services import set_min_tier

    job = make_job(requester=make_user("0x" + "21" * 20), status="live")
    set_min_tier(job=job, tier=Tier.SILVER)
    assert job.min_tier == Tier.SILVER  # the passed instance too
    job = Job.objects.get(pk=job.pk)
    bronze, silver = labeler(Tier.BRONZE), make_user("0x" + "24" * 20)
    WorkerProgress.objects.create(worker=silver, tier=Tier.SILVER)

    lock = tier_lock(job=job, worker=bronze)
    assert isinstance(lock, TierLock) and lock.required == Tier.SILVER and "500 points" in lock.needs
    assert tier_lock(job=job, worker=silver) is None
    # The next-items path loads its job with raw SQL (SELECT j.*): the column must come with it.
    from apps.labeling.selectors import job_for_serving

    assert job_for_serving(job_id=job.pk, worker=bronze).min_tier == Tier.SILVER
    # No WorkerProgress row yet: the labeler is bronze.
    assert tier_lock(job=job, worker=make_user("0x" + "25" * 20)).required == Tier.SILVER
