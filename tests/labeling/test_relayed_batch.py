"""A relayed batch end to end on anvil: recorded pending, relayed with the worker's EIP-712 signature,
confirmed by the indexer and the LabelsSubmitted handler."""

from apps.chain.labels import unpack_labels
from apps.chain.registry import job_instance
from apps.jobs.models import Item
from apps.labeling.models import ItemLease, Label, LabelBatch
from apps.labeling.selectors import confirmed_label_rows
from tests.labeling.batching import labels_for, post_batch, serve, signed_batch
from tests.labeling.conftest import index_and_handle


def test_relayed_batch_confirms(chain_job, admitted, dev_accounts, w3):
    labeler = admitted(chain_job, dev_accounts[3])
    items = serve(labeler, chain_job, 5)
    reply = post_batch(labeler, chain_job, signed_batch(labeler, chain_job, labels_for(items)))
    assert reply.status_code == 201, reply.content
    batch = LabelBatch.objects.get()
    assert batch.status == LabelBatch.Status.SUBMITTED and batch.tx_hash
    assert not ItemLease.objects.exists()  # the leases became labels
    assert set(Label.objects.values_list("status", flat=True)) == {Label.Status.PENDING}

    instance = job_instance(chain_job.instance_address, w3=w3)
    index = items[0]["index"]
    workers, votes = instance.functions.votes(index).call()
    assert list(votes) == [1] and len(workers) == 1

    index_and_handle(w3)
    batch.refresh_from_db()
    assert batch.status == LabelBatch.Status.CONFIRMED and batch.confirmed_at
    assert set(Label.objects.values_list("status", "tx_hash")) == {(Label.Status.CONFIRMED, batch.tx_hash)}
    assert all(label.block_number for label in Label.objects.all())
    rows = confirmed_label_rows(job=chain_job)
    assert sorted(r["item__index"] for r in rows) == sorted(i["index"] for i in items)
    assert [pair[0] for pair in unpack_labels(bytes.fromhex(batch.packed[2:]))] == [i["index"] for i in items]
    assert set(Item.objects.filter(pk__in=[i["id"] for i in items]).values_list("labels_taken", flat=True)) == {1}


def test_items_not_served_but_with_capacity_are_accepted(chain_job, admitted, dev_accounts, w3):
    labeler = admitted(chain_job, dev_accounts[3])
    item = Item.objects.filter(job=chain_job, is_gold=False).order_by("index").last()
    labels = [{"item": item.pk, "label": 2}]
    assert post_batch(labeler, chain_job, signed_batch(labeler, chain_job, labels)).status_code == 201
    item.refresh_from_db()
    assert item.labels_taken == 1
