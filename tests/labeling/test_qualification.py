"""Qualification round: instant feedback per gold item, a pass admits the wallet on chain, a failure
does not and may be retried only after the wait."""

import json
from datetime import timedelta

from django.utils import timezone

from apps.chain.registry import job_instance
from apps.jobs.models import GoldAnswer
from apps.labeling.models import Qualification


def answer_round(labeler, job, *, wrong: int) -> list[dict]:
    """Answer the whole round, the first `wrong` answers incorrectly; returns the feedback of each."""
    url = f"/api/jobs/{job.pk}/qualification"
    state = labeler.api.post(url).json()
    feedback = []
    while state["item"]:
        item_id = state["item"]["id"]
        truth = GoldAnswer.objects.get(item_id=item_id).label_index
        label = (truth + 1) % 3 if len(feedback) < wrong else truth
        reply = labeler.api.post(f"{url}/answers", {"item": item_id, "label": label}, format="json")
        assert reply.status_code == 200, reply.content
        feedback.append(reply.json())
        state = labeler.api.get(url).json()
    return feedback


def test_pass_admits_wallet_on_chain(chain_job, labeler_for, dev_accounts, w3):
    labeler = labeler_for(dev_accounts[3])
    feedback = answer_round(labeler, chain_job, wrong=1)  # 3 of 4 = 0.75, the bar
    assert [f["correct"] for f in feedback] == [False, True, True, True]
    assert feedback[-1]["passed"] is True
    index, _, _ = job_instance(chain_job.instance_address, w3=w3).functions.workerInfo(labeler.account.address).call()
    assert index > 0
    assert labeler.api.get(f"/api/jobs/{chain_job.pk}/qualification").json()["state"] == "admitted"


def test_feedback_shows_the_right_class_after_answering(chain_job, labeler_for, dev_accounts, w3):
    labeler = labeler_for(dev_accounts[3])
    feedback = answer_round(labeler, chain_job, wrong=4)
    assert all(not f["correct"] for f in feedback)
    assert all(0 <= f["correct_label"] < 3 for f in feedback)


def test_fail_is_not_admitted_and_retry_waits(chain_job, labeler_for, dev_accounts, w3):
    labeler = labeler_for(dev_accounts[3])
    feedback = answer_round(labeler, chain_job, wrong=2)
    assert feedback[-1]["passed"] is False
    index, _, _ = job_instance(chain_job.instance_address, w3=w3).functions.workerInfo(labeler.account.address).call()
    assert index == 0
    url = f"/api/jobs/{chain_job.pk}/qualification"
    assert labeler.api.get(url).json()["state"] == "failed"
    refused = labeler.api.post(url)
    assert refused.status_code == 400 and "retry later, in 10 min" in refused.json()["detail"]
    assert labeler.api.post(f"/api/jobs/{chain_job.pk}/next-items", {}, format="json").status_code == 403

    Qualification.objects.update(finished_at=timezone.now() - timedelta(hours=1))
    assert answer_round(labeler, chain_job, wrong=0)[-1]["passed"] is True
    assert Qualification.objects.get().attempts == 2


def test_gold_answers_never_reach_the_labeler_before_it_answers(chain_job, labeler_for, dev_accounts, w3):
    labeler = labeler_for(dev_accounts[3])
    url = f"/api/jobs/{chain_job.pk}/qualification"
    state = labeler.api.post(url).json()
    shown = json.dumps(state)
    assert set(state["item"]) == {"id", "index", "media_type", "content_url", "width", "height"}
    assert state["score"] is None
    assert "label" not in shown and "gold" not in shown
    content = labeler.api.get(state["item"]["content_url"])
    assert content.status_code == 200 and content.content.startswith(b"item ")
