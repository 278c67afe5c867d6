"""A relayed batch the chain rejects: accepted (stored) at once, then the batch worker's send finds the
refusal: the batch and its labels FAILED, capacity released once, and the labeler told why."""

from apps.jobs.models import Item
from apps.labeling.models import Label, LabelBatch, Qualification
from tests.labeling.batching import labels_for, post_batch, serve, signed_batch
from tests.labeling.conftest import index_and_handle


def test_revert_fails_the_batch_and_releases_capacity(chain_job, labeler_for, dev_accounts, w3):
    # Admitted in the database but never on chain: the contract reverts NotAdmitted.
    labeler = labeler_for(dev_accounts[3])
    Qualification.objects.create(job=chain_job, worker=labeler.user, passed=True, admitted_tx="0x" + "ab" * 32)
    items = serve(labeler, chain_job, 3)
    reply = post_batch(labeler, chain_job, signed_batch(labeler, chain_job, labels_for(items)))
    assert reply.status_code == 201 and reply.json()["status"] == LabelBatch.Status.PENDING
    batch = LabelBatch.objects.get()
    assert batch.status == LabelBatch.Status.FAILED and "NotAdmitted" in batch.error
    assert set(Label.objects.values_list("status", flat=True)) == {Label.Status.FAILED}
    assert set(Item.objects.filter(pk__in=[i["id"] for i in items]).values_list("labels_taken", flat=True)) == {0}

    # Nothing is counted twice: failing again or indexing changes nothing, and the items are free again.
    from apps.labeling.services import fail_batch

    fail_batch(batch=batch, reason="again")
    index_and_handle(w3)
    assert set(Item.objects.filter(pk__in=[i["id"] for i in items]).values_list("labels_taken", flat=True)) == {0}
    assert LabelBatch.objects.get().error != "again"
