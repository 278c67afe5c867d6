"""Batches the server refuses with a clear 4xx, recording nothing and paying no gas."""

import pytest

from apps.jobs.models import Item
from apps.labeling.models import Label, LabelBatch
from tests.labeling.batching import labels_for, post_batch, serve, signed_batch


@pytest.fixture
def labeler(chain_job, admitted, dev_accounts):
    return admitted(chain_job, dev_accounts[3])


def taken(items) -> list[int]:
    return list(
        Item.objects.filter(pk__in=[i["id"] for i in items]).order_by("pk").values_list("labels_taken", flat=True)
    )


def assert_refused(reply, status: int, words: str) -> None:
    assert reply.status_code == status, reply.content
    assert words in reply.json()["detail"]


def test_bad_signature(chain_job, labeler, w3):
    items = serve(labeler, chain_job, 2)
    body = signed_batch(labeler, chain_job, labels_for(items))
    body["labels"][0]["label"] = 2  # signed something else
    before = w3.eth.get_transaction_count(w3.eth.accounts[0])
    assert_refused(post_batch(labeler, chain_job, body), 400, "not by your wallet")
    assert not LabelBatch.objects.exists() and not Label.objects.exists()
    assert w3.eth.get_transaction_count(w3.eth.accounts[0]) == before  # no gas paid
    assert taken(items) == [1, 1]  # still the leases


def test_malformed_signature(chain_job, labeler):
    items = serve(labeler, chain_job, 1)
    body = signed_batch(labeler, chain_job, labels_for(items))
    body["signature"] = "0x" + "00" * 65
    assert_refused(post_batch(labeler, chain_job, body), 400, "signature")
    assert not LabelBatch.objects.exists()


def test_signed_by_another_wallet(chain_job, labeler, dev_accounts):
    items = serve(labeler, chain_job, 2)
    body = signed_batch(labeler, chain_job, labels_for(items), signer=dev_accounts[4])
    assert_refused(post_batch(labeler, chain_job, body), 400, "not by your wallet")
    assert not LabelBatch.objects.exists()


def test_replayed_nonce(chain_job, labeler):
    first, second = serve(labeler, chain_job, 2)
    body = signed_batch(labeler, chain_job, labels_for([first]))
    assert post_batch(labeler, chain_job, body).status_code == 201
    replay = signed_batch(labeler, chain_job, labels_for([second]))
    replay["nonce"] = body["nonce"]
    from apps.chain.eip712 import label_batch_typed_data, sign_typed_data

    typed = label_batch_typed_data(
        chain_id=31337,
        instance=chain_job.instance_address,
        worker=labeler.account.address,
        item_ids=[second["index"]],
        labels=[1],
        nonce=body["nonce"],
    )
    replay["signature"] = sign_typed_data(account=labeler.account, typed_data=typed).to_0x_hex()
    assert_refused(post_batch(labeler, chain_job, replay), 400, "nonce was used")
    assert LabelBatch.objects.count() == 1


def test_double_label(chain_job, labeler):
    items = serve(labeler, chain_job, 1)
    assert post_batch(labeler, chain_job, signed_batch(labeler, chain_job, labels_for(items))).status_code == 201
    again = signed_batch(labeler, chain_job, labels_for(items, label=2))
    assert_refused(post_batch(labeler, chain_job, again), 400, "labeled one of these items already")
    assert LabelBatch.objects.count() == 1 and taken(items) == [1]


def test_same_item_twice_in_a_batch(chain_job, labeler):
    (item,) = serve(labeler, chain_job, 1)
    body = {"mode": "wallet", "labels": labels_for([item, item])}
    assert_refused(post_batch(labeler, chain_job, body), 400, "each item once")


def test_class_out_of_range(chain_job, labeler):
    items = serve(labeler, chain_job, 1)
    body = {"mode": "wallet", "labels": labels_for(items, label=3)}
    assert_refused(post_batch(labeler, chain_job, body), 400, "Class 3 does not exist")
    assert not LabelBatch.objects.exists()


def test_item_without_capacity(chain_job, labeler):
    item = Item.objects.filter(job=chain_job, is_gold=False).first()
    Item.objects.filter(pk=item.pk).update(labels_taken=2)
    body = {"mode": "wallet", "labels": [{"item": item.pk, "label": 0}]}
    assert_refused(post_batch(labeler, chain_job, body), 400, "have all the labels they need")
    assert not LabelBatch.objects.exists() and not Label.objects.exists()


def test_not_admitted(chain_job, labeler_for, dev_accounts):
    stranger = labeler_for(dev_accounts[5])
    item = Item.objects.filter(job=chain_job, is_gold=False).first()
    body = {"mode": "wallet", "labels": [{"item": item.pk, "label": 0}]}
    assert_refused(post_batch(stranger, chain_job, body), 403, "not admitted")
