"""A box vote the chain refuses: stored at once, then the batch worker's send finds the refusal: the
annotation marked failed with the chain's reason, the item's slot given back."""

from apps.boxes.models import BoxAnnotation
from apps.chain.client import send
from apps.chain.eip712 import box_batch_typed_data, sign_typed_data
from apps.chain.labels import pack_labels
from apps.chain.registry import job_instance
from apps.jobs.models import Item
from tests.boxes.helpers import box_dicts, post_boxes, signed_boxes


def test_refused_vote_is_failed_and_released(box_job, admitted, dev_accounts, roles, w3):
    labeler = admitted(box_job, dev_accounts[3])
    instance = job_instance(box_job.instance_address, w3=w3)
    # The labeler's wallet already voted on item 7 around the server (not indexed yet).
    labels, commitments = pack_labels(item_ids=[7], labels=[0]), [b"\x02" * 32]
    typed = box_batch_typed_data(
        chain_id=w3.eth.chain_id,
        instance=instance.address,
        worker=labeler.account.address,
        labels=labels,
        commitments=commitments,
        nonce=50,
    )
    signature = sign_typed_data(account=labeler.account, typed_data=typed)
    send(
        instance.functions.submitBoxesFor(labeler.account.address, labels, commitments, 50, signature),
        sender=roles.relayer,
    )

    item = Item.objects.get(job=box_job, index=7)
    reply = post_boxes(labeler, box_job, signed_boxes(labeler, box_job, item.pk, box_dicts((0, 1, 1, 10, 10))))
    assert reply.status_code == 201, reply.content
    listed = labeler.api.get(f"/api/labeling/jobs/{box_job.pk}/boxes/").json()["annotations"]
    assert listed[0]["status"] == "failed" and "AlreadyVoted" in listed[0]["error"]
    assert BoxAnnotation.objects.get().boxes == box_dicts((0, 1, 1, 10, 10))  # kept, with why it failed
    item.refresh_from_db()
    assert item.labels_taken == 0
