"""The LabelsSubmitted handler: idempotent, and the chain is the source of truth for labels sent
without the platform."""

from apps.chain.client import send
from apps.chain.handlers import handle_event
from apps.chain.labels import pack_labels
from apps.chain.models import ChainEvent
from apps.chain.registry import job_instance
from apps.jobs.models import Item
from apps.labeling.confirmation import confirm_labels
from apps.labeling.models import Label, LabelBatch
from tests.labeling.batching import labels_for, post_batch, serve, signed_batch
from tests.labeling.conftest import index_and_handle


def test_duplicate_event_counts_once(chain_job, admitted, dev_accounts, w3):
    labeler = admitted(chain_job, dev_accounts[3])
    items = serve(labeler, chain_job, 3)
    assert post_batch(labeler, chain_job, signed_batch(labeler, chain_job, labels_for(items))).status_code == 201
    index_and_handle(w3)
    event = ChainEvent.objects.get(name="LabelsSubmitted")
    assert handle_event(event.pk) is False  # a second delivery is claimed already
    confirm_labels(event)  # and a handler run twice anyway changes nothing
    assert LabelBatch.objects.count() == 1
    assert Label.objects.filter(status=Label.Status.CONFIRMED).count() == 3
    assert set(Item.objects.filter(pk__in=[i["id"] for i in items]).values_list("labels_taken", flat=True)) == {1}


def test_labels_sent_without_the_platform_are_recorded(chain_job, admitted, dev_accounts, w3):
    labeler = admitted(chain_job, dev_accounts[3])
    served = serve(labeler, chain_job, 1)[0]  # leased, so its slot is held already
    other = Item.objects.filter(job=chain_job, is_gold=False).exclude(pk=served["id"]).first()
    packed = pack_labels(item_ids=[served["index"], other.index], labels=[2, 0])
    sent = send(job_instance(chain_job.instance_address, w3=w3).functions.submitLabels(packed), sender=labeler.account)
    index_and_handle(w3)
    batch = LabelBatch.objects.get()
    assert batch.status == LabelBatch.Status.CONFIRMED and batch.tx_hash == sent.tx_hash
    # The served item counts; the other was never served to it: on chain, recorded, not counted.
    assert sorted(Label.objects.values_list("item_id", "label_index", "status")) == sorted(
        [(served["id"], 2, "confirmed"), (other.pk, 0, "rejected")]
    )
    assert Item.objects.get(pk=served["id"]).labels_taken == 1
    assert Item.objects.get(pk=other.pk).labels_taken == 1
