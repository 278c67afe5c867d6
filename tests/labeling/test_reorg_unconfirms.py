"""A reorganisation that orphans a LabelsSubmitted event puts its batch back to "sent" and its labels
to pending (the labeler's page is told, its points go); when the batch lands on the new branch it
confirms again."""

from apps.chain.client import relayer_account, send
from apps.chain.registry import job_instance
from apps.gamification.models import WorkerProgress
from apps.labeling.models import Label, LabelBatch
from tests.chain.indexer_support import reorg
from tests.labeling.batching import labels_for, post_batch, serve, signed_batch
from tests.labeling.conftest import index_and_handle


def test_orphaned_labels_go_back_to_pending_and_confirm_again(chain_job, admitted, dev_accounts, w3, monkeypatch):
    pushed = []
    monkeypatch.setattr("apps.labeling.services.push_to_worker", lambda **kw: pushed.append(kw["message"]))
    labeler = admitted(chain_job, dev_accounts[3])
    body = signed_batch(labeler, chain_job, labels_for(serve(labeler, chain_job, 3)))
    assert post_batch(labeler, chain_job, body).status_code == 201
    index_and_handle(w3)
    batch = LabelBatch.objects.get()
    assert batch.status == LabelBatch.Status.CONFIRMED
    assert labels_counted(labeler) == 3

    reorg(w3, 1)  # the block holding the batch is replaced by an empty one
    index_and_handle(w3)

    batch.refresh_from_db()
    assert (batch.status, batch.confirmed_at) == (LabelBatch.Status.SUBMITTED, None)
    assert set(batch.labels.values_list("status", "block_number")) == {(Label.Status.PENDING, None)}
    assert {"batch": batch.pk, "status": LabelBatch.Status.SUBMITTED} in pushed
    assert labels_counted(labeler) == 0

    # The same signed batch is sent again (as a relayer resubmitting a dropped transaction would).
    instance = job_instance(chain_job.instance_address, w3=w3)
    packed, signature = bytes.fromhex(batch.packed[2:]), bytes.fromhex(batch.signature[2:])
    resent = send(
        instance.functions.submitLabelsFor(labeler.account.address, packed, batch.nonce, signature),
        sender=relayer_account(),
    )
    index_and_handle(w3)

    batch.refresh_from_db()
    # (often the very same transaction as before: same nonce, same data)
    assert batch.status == LabelBatch.Status.CONFIRMED and batch.tx_hash == resent.tx_hash
    assert batch.confirmed_at is not None
    assert set(batch.labels.values_list("status", flat=True)) == {Label.Status.CONFIRMED}
    assert LabelBatch.objects.count() == 1
    assert labels_counted(labeler) == 3


def labels_counted(labeler) -> int:
    """The labeler's confirmed labels as gamification counts them."""
    return WorkerProgress.objects.get(worker__address=labeler.account.address).labels
