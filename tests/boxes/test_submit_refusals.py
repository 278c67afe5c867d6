"""Box answers the server refuses, with a message naming the fault, and nothing stored or taken."""

import pytest

from apps.boxes.models import BoxAnnotation
from apps.jobs.models import Item
from apps.labeling.models import Label, LabelBatch
from tests.boxes.conftest import make_box_job
from tests.boxes.helpers import box_dicts, post_boxes, prepare, signed_boxes
from tests.factories import make_user

OK = box_dicts((0, 10, 10, 50, 50))


@pytest.fixture
def labeler(box_job, admitted, dev_accounts):
    return admitted(box_job, dev_accounts[3])


def item_of(job, index=5):
    return Item.objects.get(job=job, index=index)


def assert_nothing_stored(job):
    assert not BoxAnnotation.objects.exists() and not Label.objects.exists() and not LabelBatch.objects.exists()
    assert set(Item.objects.filter(job=job).values_list("labels_taken", flat=True)) == {0}


@pytest.mark.parametrize(
    "boxes, message",
    [
        (box_dicts((0, 600, 10, 50, 50)), "ends outside the 640x480 image"),
        (box_dicts((0, 10, 450, 50, 50)), "ends outside the 640x480 image"),
        (box_dicts((0, -1, 10, 50, 50)), "starts outside the image"),
        (box_dicts((0, 100, 100, -20, 50)), "width and height must be positive"),
        (box_dicts((1, 100, 100, 20, 0)), "width and height must be positive"),
        (box_dicts((1, 100, 100, 20, 0.004)), "width and height must be positive"),  # rounds to 0
        (box_dicts((2, 10, 10, 50, 50)), "class 2 does not exist"),
    ],
)
def test_bad_boxes_are_refused(box_job, labeler, boxes, message):
    reply = prepare(labeler, box_job, item_of(box_job).pk, OK + boxes)
    assert reply.status_code == 400 and message in reply.json()["detail"], reply.content
    assert_nothing_stored(box_job)


def test_too_many_boxes(box_job, labeler, settings):
    settings.BOXES_MAX_PER_ITEM = 3
    reply = prepare(labeler, box_job, item_of(box_job).pk, box_dicts(*((0, 10 * i, 0, 5, 5) for i in range(4))))
    assert reply.status_code == 400 and "more than the 3" in reply.json()["detail"]


def test_malformed_boxes(box_job, labeler):
    reply = prepare(labeler, box_job, item_of(box_job).pk, [{"x": 1, "y": 2, "w": 3, "h": 4}])
    assert reply.status_code == 400 and "class" in str(reply.json()["boxes"])
    reply = prepare(labeler, box_job, item_of(box_job).pk, [{"class": 0, "x": "left", "y": 2, "w": 3, "h": 4}])
    assert reply.status_code == 400 and "A valid number is required" in str(reply.json()["boxes"])


def test_item_of_another_job(box_job, labeler, roles):
    other = make_box_job(requester=make_user(roles.requester.address))
    reply = prepare(labeler, box_job, item_of(other).pk, OK)
    assert reply.status_code == 400 and "not part of this job" in reply.json()["detail"]
    assert not BoxAnnotation.objects.exists()


def test_not_admitted(box_job, labeler_for, dev_accounts):
    stranger = labeler_for(dev_accounts[4])
    reply = prepare(stranger, box_job, item_of(box_job).pk, OK)
    assert reply.status_code == 403 and "not admitted" in reply.json()["detail"]
    body = {"item": item_of(box_job).pk, "boxes": OK, "nonce": 1, "signature": "0x" + "11" * 65}
    assert post_boxes(stranger, box_job, body).status_code == 403
    assert_nothing_stored(box_job)


def test_anonymous(box_job, client):
    reply = client.post(f"/api/labeling/jobs/{box_job.pk}/boxes/", {}, content_type="application/json")
    assert reply.status_code == 403


def test_signature_of_other_boxes_or_key(box_job, labeler, dev_accounts):
    item = item_of(box_job).pk
    body = signed_boxes(labeler, box_job, item, OK)
    changed = post_boxes(labeler, box_job, {**body, "boxes": box_dicts((0, 10, 10, 50, 51))})
    assert changed.status_code == 400 and "does not match what you submitted" in changed.json()["detail"]
    foreign = signed_boxes(labeler, box_job, item, OK, signer=dev_accounts[5])
    assert post_boxes(labeler, box_job, foreign).status_code == 400
    assert post_boxes(labeler, box_job, {**body, "signature": "0x" + "00" * 65}).status_code == 400
    assert_nothing_stored(box_job)


def test_an_image_is_answered_once(box_job, labeler):
    item = item_of(box_job).pk
    assert post_boxes(labeler, box_job, signed_boxes(labeler, box_job, item, OK)).status_code == 201
    again = post_boxes(labeler, box_job, signed_boxes(labeler, box_job, item, OK))
    assert again.status_code == 400 and "already" in again.json()["detail"]
    assert BoxAnnotation.objects.count() == 1


def test_task_types_do_not_mix(box_job, labeler):
    reply = labeler.api.post(
        f"/api/jobs/{box_job.pk}/batches/prepare",
        {"labels": [{"item": item_of(box_job).pk, "label": 1}]},
        format="json",
    )
    assert reply.status_code == 400 and "takes boxes" in reply.json()["detail"]


def test_boxes_on_a_class_job(chain_job, admitted, dev_accounts):
    labeler = admitted(chain_job, dev_accounts[3])
    reply = prepare(labeler, chain_job, Item.objects.filter(job=chain_job).first().pk, OK)
    assert reply.status_code == 400 and "takes class labels" in reply.json()["detail"]
