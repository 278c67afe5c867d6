"""A labeler's running score on gold images served among its work (honeypots), by IoU."""
from apps.boxes.selectors import honeypot_box_score
from apps.jobs.models import Item
from tests.boxes.conftest import GOLD_BOXES
from tests.boxes.helpers import submit


def test_running_score_on_gold_images(box_job, admitted, dev_accounts, w3):
    labeler = admitted(box_job, dev_accounts[3])
    assert honeypot_box_score(job=box_job, worker=labeler.user) is None
    gold = {i.index: i.pk for i in Item.objects.filter(job=box_job, is_gold=True)}
    exact = [b.as_dict() for b in GOLD_BOXES[0]]
    assert submit(labeler, box_job, gold[0], exact).status_code == 201
    assert honeypot_box_score(job=box_job, worker=labeler.user) == 1.0
    assert submit(labeler, box_job, gold[1], []).status_code == 201  # missed the only box: 0
    assert honeypot_box_score(job=box_job, worker=labeler.user) == 0.5
    normal = Item.objects.get(job=box_job, index=9).pk
    assert submit(labeler, box_job, normal, []).status_code == 201  # not gold: not counted
    assert honeypot_box_score(job=box_job, worker=labeler.user) == 0.5
