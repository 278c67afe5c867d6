"""A box job's qualification round obeys the job's attempts and wait exactly as a class job's does:
both go through the labeling app's one round function. Each test runs on a class job and a box job,
with the same assertions."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.boxes.models import GoldBoxes
from apps.chain.registry import job_instance
from apps.jobs.models import GoldAnswer, Job
from apps.labeling.models import Qualification

URL = "/api/jobs/{}/qualification"


@pytest.fixture(params=["classes", "boxes"])
def any_job(request) -> Job:
    return request.getfixturevalue("chain_job" if request.param == "classes" else "box_job")


def fail_round(labeler, job) -> None:
    """Answer every item of a round wrongly through the page's API: a wrong class, or boxes that miss
    the gold boxes entirely (none where there are gold boxes, one where there are none)."""
    state = labeler.api.post(URL.format(job.pk)).json()
    assert state["state"] == "running", state
    while state["item"]:
        item_id = state["item"]["id"]
        if job.task_type == Job.TaskType.BOUNDING_BOX:
            gold = GoldBoxes.objects.get(item_id=item_id).boxes
            boxes = [] if gold else [{"class": 0, "x": 1, "y": 1, "w": 20, "h": 20}]
            reply = labeler.api.post(
                f"/api/labeling/jobs/{job.pk}/boxes/qualification", {"item": item_id, "boxes": boxes}, format="json"
            )
        else:
            truth = GoldAnswer.objects.get(item_id=item_id).label_index
            reply = labeler.api.post(
                URL.format(job.pk) + "/answers", {"item": item_id, "label": (truth + 1) % 3}, format="json"
            )
        assert reply.status_code == 200, reply.content
        assert reply.json()["score"] == 0.0
        state = labeler.api.get(URL.format(job.pk)).json()
    assert state["state"] == "failed"


def test_a_retry_waits_for_the_jobs_wait_after_the_round_was_decided(any_job, labeler_for, dev_accounts):
    any_job.qualification_wait_seconds = 120
    any_job.save()
    labeler = labeler_for(dev_accounts[3])
    before = timezone.now()
    fail_round(labeler, any_job)

    qualification = Qualification.objects.get()
    assert qualification.score == 0.0 and qualification.finished_at >= before
    assert sorted(qualification.revealed_ids) == sorted(qualification.item_ids)
    state = labeler.api.get(URL.format(any_job.pk)).json()
    assert state["attempts"] == 1 and state["max_attempts"] == 3 and state["score"] == 0.0
    assert state["retry_at"] is not None

    Qualification.objects.update(finished_at=timezone.now() - timedelta(seconds=75))
    refused = labeler.api.post(URL.format(any_job.pk))
    assert refused.status_code == 400
    assert "retry later, in 45 s" in refused.json()["detail"] or "in 44 s" in refused.json()["detail"]
    assert Qualification.objects.get().attempts == 1  # a refused retry is not an attempt

    Qualification.objects.update(finished_at=timezone.now() - timedelta(seconds=121))
    assert labeler.api.post(URL.format(any_job.pk)).json()["state"] == "running"
    assert Qualification.objects.get().attempts == 2


def test_out_of_attempts_is_refused_for_good(any_job, labeler_for, dev_accounts, w3):
    any_job.qualification_max_attempts = 2
    any_job.qualification_wait_seconds = 0
    any_job.save()
    labeler = labeler_for(dev_accounts[3])
    fail_round(labeler, any_job)
    fail_round(labeler, any_job)
    state = labeler.api.get(URL.format(any_job.pk)).json()
    assert state["attempts"] == 2 and state["retry_at"] is None

    Qualification.objects.update(finished_at=timezone.now() - timedelta(days=30))
    refused = labeler.api.post(URL.format(any_job.pk))
    assert refused.status_code == 403 and "used all 2 attempts" in refused.json()["detail"]
    assert Qualification.objects.get().attempts == 2
    index, _, _ = job_instance(any_job.instance_address, w3=w3).functions.workerInfo(labeler.account.address).call()
    assert index == 0
