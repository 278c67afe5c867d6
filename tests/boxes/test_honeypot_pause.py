"""Gold images served among a box labeler's work (honeypots) are scored by IoU like a class job's
honeypots by class: a running score below the job's bar, after honeypot_min of them, pauses it."""

from apps.jobs.models import Item
from apps.labeling.models import Pause
from apps.labeling.services import honeypot_answers
from tests.boxes.conftest import GOLD_BOXES, gold_as_honeypots
from tests.boxes.helpers import submit


def test_a_low_box_honeypot_score_pauses_the_labeler(box_job, admitted, dev_accounts, w3):
    box_job.honeypot_min, box_job.qualification_bar = 2, 0.75
    box_job.save()
    gold_as_honeypots(box_job)
    labeler = admitted(box_job, dev_accounts[3])
    gold = {i.index: i.pk for i in Item.objects.filter(job=box_job, is_gold=True)}
    normal = Item.objects.get(job=box_job, index=9).pk

    assert submit(labeler, box_job, gold[0], [b.as_dict() for b in GOLD_BOXES[0]]).status_code == 201  # IoU 1
    assert submit(labeler, box_job, normal, []).status_code == 201  # not gold: not counted
    assert not Pause.objects.exists()  # one honeypot: below honeypot_min, no judgement yet
    assert submit(labeler, box_job, gold[1], []).status_code == 201  # missed the only box: 0

    assert len(honeypot_answers(job=box_job, worker=labeler.user, since=None)) == 2
    pause = Pause.objects.get()
    assert (pause.honeypots, pause.score) == (2, 0.5)
    refused = labeler.api.post(f"/api/jobs/{box_job.pk}/next-items", {}, format="json")
    assert refused.status_code == 403 and "paused" in refused.json()["detail"]
