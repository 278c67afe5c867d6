"""Qualification round of a box job: each gold image answered with boxes gets its IoU score and, only
then, its gold boxes; the mean score against the bar admits the wallet on chain."""

from apps.boxes.models import GoldBoxes
from apps.chain.registry import job_instance
from apps.labeling.models import Qualification

URL = "/api/jobs/{}/qualification"


def answer_round(labeler, job, *, spoil: int) -> list[dict]:
    """Answer every image of the round with its gold boxes, except the first `spoil` answered empty."""
    state = labeler.api.post(URL.format(job.pk)).json()
    feedback = []
    while state["item"]:
        item = state["item"]
        assert "gold" not in item and item["width"] == 640
        gold = GoldBoxes.objects.get(item_id=item["id"]).boxes
        boxes = [] if len(feedback) < spoil and gold else gold
        reply = labeler.api.post(
            f"/api/labeling/jobs/{job.pk}/boxes/qualification", {"item": item["id"], "boxes": boxes}, format="json"
        )
        assert reply.status_code == 200, reply.content
        feedback.append(reply.json())
        assert feedback[-1]["gold"] == gold  # revealed only with the feedback to its own answer
        state = labeler.api.get(URL.format(job.pk)).json()
    return feedback


def test_pass_admits_on_chain(box_job, labeler_for, dev_accounts, w3):
    labeler = labeler_for(dev_accounts[3])
    feedback = answer_round(labeler, box_job, spoil=0)
    assert [f["score"] for f in feedback] == [1.0, 1.0, 1.0] and feedback[-1]["passed"] is True
    index, _, _ = job_instance(box_job.instance_address, w3=w3).functions.workerInfo(labeler.account.address).call()
    assert index > 0


def test_fail_below_the_bar(box_job, labeler_for, dev_accounts, w3):
    labeler = labeler_for(dev_accounts[3])
    feedback = answer_round(labeler, box_job, spoil=3)  # the two images with boxes answered empty: 1/3 < 0.6
    assert sorted(f["score"] for f in feedback) == [0.0, 0.0, 1.0] and feedback[-1]["passed"] is False
    assert Qualification.objects.get().admitted is False


def test_refusals(box_job, labeler_for, dev_accounts):
    labeler = labeler_for(dev_accounts[3])
    url = f"/api/labeling/jobs/{box_job.pk}/boxes/qualification"
    not_started = labeler.api.post(url, {"item": box_job.items.first().pk, "boxes": []}, format="json")
    assert not_started.status_code == 400 and "not part of your running qualification" in not_started.json()["detail"]
    item = labeler.api.post(URL.format(box_job.pk)).json()["item"]
    unknown = labeler.api.post(url, {"item": 10**9, "boxes": []}, format="json")
    assert unknown.status_code == 400 and "not part of your running qualification" in unknown.json()["detail"]
    outside = labeler.api.post(
        url, {"item": item["id"], "boxes": [{"class": 0, "x": 630, "y": 0, "w": 20, "h": 5}]}, format="json"
    )
    assert outside.status_code == 400 and "outside" in outside.json()["detail"]
    assert Qualification.objects.get().answers == {}  # a refused answer is not recorded
    assert labeler.api.post(url, {"item": item["id"], "boxes": []}, format="json").status_code == 200
    again = labeler.api.post(url, {"item": item["id"], "boxes": []}, format="json")
    assert again.status_code == 400 and "already" in again.json()["detail"]


def test_class_answers_are_refused(box_job, labeler_for, dev_accounts):
    labeler = labeler_for(dev_accounts[3])
    item = labeler.api.post(URL.format(box_job.pk)).json()["item"]
    reply = labeler.api.post(URL.format(box_job.pk) + "/answers", {"item": item["id"], "label": 1}, format="json")
    assert reply.status_code == 400 and "answered with boxes" in reply.json()["detail"]
