"""The indexer confirms stored boxes only when they hash to the commitment the chain recorded."""

from apps.boxes.models import BoxAnnotation
from apps.boxes.selectors import box_settlement_input
from apps.chain.client import send
from apps.chain.eip712 import box_batch_typed_data, sign_typed_data
from apps.chain.labels import pack_labels
from apps.chain.registry import job_instance
from apps.jobs.models import Item
from apps.labeling.models import Label
from tests.boxes.conftest import index_and_handle
from tests.boxes.helpers import box_dicts, submit

BOXES = box_dicts((0, 10, 10, 50, 50), (1, 100, 100, 20, 30))


def test_boxes_changed_after_signing_are_rejected(box_job, admitted, dev_accounts, w3):
    honest, tampered = (admitted(box_job, dev_accounts[i]) for i in (3, 4))
    item = Item.objects.get(job=box_job, index=6).pk
    assert submit(honest, box_job, item, BOXES).status_code == 201
    assert submit(tampered, box_job, item, BOXES).status_code == 201
    # Someone with database access moves a box after the vote was signed and relayed.
    changed = BoxAnnotation.objects.get(worker=tampered.user)
    changed.boxes = box_dicts((0, 10, 10, 50, 50), (1, 100, 100, 20, 31))
    changed.save()

    index_and_handle(w3)
    by_worker = {a.worker_id: a for a in BoxAnnotation.objects.all()}
    assert by_worker[honest.user.pk].verified is True
    assert by_worker[tampered.user.pk].verified is False
    answers = box_settlement_input(job=box_job).answers
    assert list(answers[6]) == [honest.account.address]  # tampered boxes never count
    listed = tampered.api.get(f"/api/labeling/jobs/{box_job.pk}/boxes/").json()["annotations"]
    assert listed[0]["status"] == "rejected"


def test_a_vote_sent_around_the_server_records_no_boxes(box_job, admitted, dev_accounts, roles, w3):
    labeler = admitted(box_job, dev_accounts[3])
    instance = job_instance(box_job.instance_address, w3=w3)
    labels, commitments = pack_labels(item_ids=[7], labels=[1]), [b"\x01" * 32]
    typed = box_batch_typed_data(
        chain_id=w3.eth.chain_id,
        instance=instance.address,
        worker=labeler.account.address,
        labels=labels,
        commitments=commitments,
        nonce=9,
    )
    signature = sign_typed_data(account=labeler.account, typed_data=typed)
    send(
        instance.functions.submitBoxesFor(labeler.account.address, labels, commitments, 9, signature),
        sender=roles.relayer,
    )

    index_and_handle(w3)
    label = Label.objects.get()  # the vote is on chain, so it is recorded (never served: not counted) …
    assert label.status == Label.Status.REJECTED and label.item.index == 7
    assert not BoxAnnotation.objects.exists()  # … but there are no boxes to count
    assert box_settlement_input(job=box_job).answers == {}
