"""Qualification limits: a failed round may be retried only after the job's wait (the refusal says
how long is left) and only while attempts are left; out of attempts is refused for good."""

from datetime import timedelta

from django.utils import timezone

from apps.chain.registry import job_instance
from apps.labeling.models import Qualification
from tests.labeling.test_qualification import answer_round


def test_retry_before_the_wait_is_refused_with_the_time_left(chain_job, labeler_for, dev_accounts):
    chain_job.qualification_wait_seconds = 120
    chain_job.save()
    labeler = labeler_for(dev_accounts[3])
    assert answer_round(labeler, chain_job, wrong=4)[-1]["passed"] is False
    url = f"/api/jobs/{chain_job.pk}/qualification"
    state = labeler.api.get(url).json()
    assert state["state"] == "failed" and state["attempts"] == 1 and state["max_attempts"] == 3
    assert state["score"] == 0.0 and state["retry_at"] is not None

    Qualification.objects.update(finished_at=timezone.now() - timedelta(seconds=75))
    refused = labeler.api.post(url)
    assert refused.status_code == 400
    assert "retry later, in 45 s" in refused.json()["detail"] or "in 44 s" in refused.json()["detail"]
    assert Qualification.objects.get().attempts == 1  # a refused retry is not an attempt

    Qualification.objects.update(finished_at=timezone.now() - timedelta(seconds=121))
    assert labeler.api.post(url).json()["state"] == "running"
    assert Qualification.objects.get().attempts == 2


def test_out_of_attempts_is_refused_for_good(chain_job, labeler_for, dev_accounts, w3):
    chain_job.qualification_max_attempts = 2
    chain_job.qualification_wait_seconds = 0
    chain_job.save()
    labeler = labeler_for(dev_accounts[3])
    url = f"/api/jobs/{chain_job.pk}/qualification"
    assert answer_round(labeler, chain_job, wrong=2)[-1]["passed"] is False
    assert answer_round(labeler, chain_job, wrong=2)[-1]["passed"] is False
    state = labeler.api.get(url).json()
    assert state["attempts"] == 2 and state["retry_at"] is None

    Qualification.objects.update(finished_at=timezone.now() - timedelta(days=30))
    refused = labeler.api.post(url)
    assert refused.status_code == 403
    assert "used all 2 attempts" in refused.json()["detail"]
    assert Qualification.objects.get().attempts == 2
    index, _, _ = job_instance(chain_job.instance_address, w3=w3).functions.workerInfo(labeler.account.address).call()
    assert index == 0


def test_pass_bar_is_inclusive_and_one_below_fails(chain_job, labeler_for, dev_accounts):
    # 4 items at a bar of 0.75: 3 right passes (see test_qualification), 2 right fails.
    chain_job.qualification_bar = 0.76
    chain_job.save()
    labeler = labeler_for(dev_accounts[3])
    feedback = answer_round(labeler, chain_job, wrong=1)
    assert feedback[-1]["passed"] is False
    assert Qualification.objects.get().score == 0.75
