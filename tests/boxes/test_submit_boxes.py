"""One image's boxes end to end on anvil: served with its size, prepared, signed, stored pending,
relayed as a box vote, confirmed and verified by the indexer's BoxesSubmitted handler."""

from apps.boxes.geometry import box_commitment, box_from_dict
from apps.boxes.models import BoxAnnotation
from apps.chain.registry import job_instance
from apps.labeling.models import ItemLease, Label, LabelBatch
from tests.boxes.conftest import HEIGHT, WIDTH, index_and_handle
from tests.boxes.helpers import box_dicts, post_boxes, signed_boxes

BOXES = box_dicts((1, 300.004, 20.5, 40, 60), (0, 10, 10, 100.5, 80))


def serve(labeler, job):
    reply = labeler.api.post(f"/api/jobs/{job.pk}/next-items", {"count": 1}, format="json")
    assert reply.status_code == 200, reply.content
    return reply.json()["items"][0]


def test_boxes_are_stored_relayed_and_confirmed(box_job, admitted, dev_accounts, w3):
    labeler = admitted(box_job, dev_accounts[3])
    item = serve(labeler, box_job)
    assert (item["width"], item["height"]) == (WIDTH, HEIGHT)

    reply = post_boxes(labeler, box_job, signed_boxes(labeler, box_job, item["id"], BOXES))
    assert reply.status_code == 201, reply.content
    body = reply.json()
    canonical = box_dicts((0, 10, 10, 100.5, 80), (1, 300, 20.5, 40, 60))  # rounded to 1/100 px, sorted
    assert body["boxes"] == canonical and body["box_count"] == 2 and body["answer_ms"] == 4200
    assert body["status"] == "pending"  # stored; the batch worker relays it (post_boxes ran it)
    assert LabelBatch.objects.get().status == LabelBatch.Status.SUBMITTED and LabelBatch.objects.get().tx_hash
    assert body["commitment"] == "0x" + box_commitment(map(box_from_dict, canonical)).hex()
    assert not ItemLease.objects.exists()  # the lease became the vote

    instance = job_instance(box_job.instance_address, w3=w3)
    assert instance.functions.votes(item["index"]).call() == [[1], [2]]

    index_and_handle(w3)
    annotation = BoxAnnotation.objects.get()
    assert annotation.verified is True
    assert annotation.label.status == Label.Status.CONFIRMED
    assert annotation.label.batch.status == LabelBatch.Status.CONFIRMED
    listed = labeler.api.get(f"/api/labeling/jobs/{box_job.pk}/boxes/").json()["annotations"]
    assert [(a["id"], a["status"]) for a in listed] == [(annotation.pk, "confirmed")]


def test_an_empty_answer_is_a_vote_of_zero_boxes(box_job, admitted, dev_accounts, w3):
    labeler = admitted(box_job, dev_accounts[3])
    item = serve(labeler, box_job)
    reply = post_boxes(labeler, box_job, signed_boxes(labeler, box_job, item["id"], []))
    assert reply.status_code == 201, reply.content
    assert reply.json()["box_count"] == 0
    assert job_instance(box_job.instance_address, w3=w3).functions.votes(item["index"]).call() == [[1], [0]]
    index_and_handle(w3)
    assert BoxAnnotation.objects.get().verified is True


def test_many_boxes_vote_a_count_of_15(box_job, admitted, dev_accounts, w3):
    labeler = admitted(box_job, dev_accounts[3])
    item = serve(labeler, box_job)
    many = box_dicts(*((0, 10 * i, 10, 5, 5) for i in range(20)))
    reply = post_boxes(labeler, box_job, signed_boxes(labeler, box_job, item["id"], many))
    assert reply.status_code == 201, reply.content
    assert reply.json()["box_count"] == 20
    assert job_instance(box_job.instance_address, w3=w3).functions.votes(item["index"]).call() == [[1], [15]]
