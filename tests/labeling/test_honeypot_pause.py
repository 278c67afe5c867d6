"""Honeypots inside normal work: a labeler whose running gold score falls below the job's bar
(after honeypot_min honeypots) is paused — next-items and batches refuse it — until the job's
requester lifts the pause; the score then restarts from the lift."""

import pytest

from apps.jobs.models import GoldAnswer
from apps.labeling.models import Pause
from tests.labeling.batching import post_batch, serve

# next-items reads admission and pause in raw SQL (labeling.selectors.job_for_serving)
pytestmark = pytest.mark.postgres_too


@pytest.fixture
def honeypot_job(chain_job, settings):
    settings.LABELING_HONEYPOT_RATE = 1.0  # every new pick is a gold item
    chain_job.honeypot_min = 3
    chain_job.save()
    return chain_job


def answer(labeler, job, items, *, right: int) -> None:
    """A wallet batch (recorded pending: enough for the running score) on served gold items, the
    first `right` answered correctly."""
    labels = []
    for k, item in enumerate(items):
        truth = GoldAnswer.objects.get(item_id=item["id"]).label_index
        labels.append({"item": item["id"], "label": truth if k < right else (truth + 1) % 3})
    reply = post_batch(labeler, job, {"mode": "wallet", "labels": labels})
    assert reply.status_code == 201, reply.content


def test_low_honeypot_score_pauses_and_the_requester_lifts_it(honeypot_job, admitted, labeler_for, dev_accounts, roles):
    job = honeypot_job
    labeler = admitted(job, dev_accounts[3])
    answer(labeler, job, serve(labeler, job, 2), right=0)
    assert not Pause.objects.exists()  # 2 honeypots: below honeypot_min, no judgement yet
    answer(labeler, job, serve(labeler, job, 1), right=1)  # 1 of 3 right: 0.33 < 0.75

    pause = Pause.objects.get()
    assert pause.honeypots == 3 and pause.score == pytest.approx(1 / 3)
    refused = labeler.api.post(f"/api/jobs/{job.pk}/next-items", {}, format="json")
    assert refused.status_code == 403 and "paused" in refused.json()["detail"] and "33%" in refused.json()["detail"]
    gold_left = GoldAnswer.objects.exclude(item__labels__worker=labeler.user).first().item_id
    one = {"labels": [{"item": gold_left, "label": 0}]}
    prepared = labeler.api.post(f"/api/jobs/{job.pk}/batches/prepare", one, format="json")
    assert prepared.status_code == 403 and "paused" in prepared.json()["detail"]
    assert post_batch(labeler, job, {"mode": "wallet", "labels": [{"item": gold_left, "label": 0}]}).status_code == 403

    # Only the job's requester sees and lifts pauses; to anyone else the job's pauses do not exist.
    url = f"/api/jobs/{job.pk}/pauses"
    assert labeler.api.get(url).status_code == 404
    assert labeler.api.post(f"{url}/{pause.pk}/lift").status_code == 404
    requester = labeler_for(roles.requester)
    listed = requester.api.get(url).json()
    assert [(p["worker"], p["honeypots"], p["lifted_at"]) for p in listed] == [(labeler.account.address, 3, None)]
    page = requester.api.get(f"/requester/jobs/{job.pk}/").content.decode()
    assert labeler.account.address in page and f'data-lift="{pause.pk}"' in page
    lifted = requester.api.post(f"{url}/{pause.pk}/lift")
    assert lifted.status_code == 200 and lifted.json()["lifted_at"]

    # The score restarts at the lift: one more wrong honeypot does not pause again at once.
    answer(labeler, job, serve(labeler, job, 1), right=0)
    assert not Pause.objects.filter(lifted_at__isnull=True).exists()
    assert labeler.api.post(f"/api/jobs/{job.pk}/next-items", {}, format="json").status_code == 200


def test_a_labeler_at_the_bar_is_not_paused(honeypot_job, admitted, dev_accounts):
    labeler = admitted(honeypot_job, dev_accounts[3])
    answer(labeler, honeypot_job, serve(labeler, honeypot_job, 4), right=3)  # 0.75 = the bar
    assert not Pause.objects.exists()
    assert labeler.api.post(f"/api/jobs/{honeypot_job.pk}/next-items", {}, format="json").status_code == 200


def test_lifting_an_unknown_pause_is_refused(honeypot_job, labeler_for, roles):
    requester = labeler_for(roles.requester)
    reply = requester.api.post(f"/api/jobs/{honeypot_job.pk}/pauses/999/lift")
    assert reply.status_code == 400 and "no such pause" in reply.json()["detail"]
