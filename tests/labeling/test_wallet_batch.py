"""A wallet batch: the server returns the transaction, the labeler's wallet sends it, the page reports
the hash; the indexer confirms it. A batch the wallet refused frees its items."""

from web3 import Web3

from apps.jobs.models import Item
from apps.labeling.models import Label, LabelBatch
from tests.labeling.batching import labels_for, post_batch, serve
from tests.labeling.conftest import index_and_handle


def test_wallet_batch_confirms(chain_job, admitted, dev_accounts, w3):
    labeler = admitted(chain_job, dev_accounts[3])
    items = serve(labeler, chain_job, 4)
    labels = labels_for(items, label=2)
    prepared = labeler.api.post(f"/api/jobs/{chain_job.pk}/batches/prepare", {"labels": labels}, format="json").json()
    reply = post_batch(labeler, chain_job, {"mode": "wallet", "labels": labels})
    assert reply.status_code == 201 and reply.json()["status"] == "pending"
    tx = {
        "from": labeler.account.address,
        "to": prepared["to"],
        "data": prepared["data"],
        "chainId": w3.eth.chain_id,
        "nonce": w3.eth.get_transaction_count(labeler.account.address),
        "gas": 200_000,
        "maxFeePerGas": 10**10,
        "maxPriorityFeePerGas": 10**9,
    }
    tx_hash = w3.eth.send_raw_transaction(labeler.account.sign_transaction(tx).raw_transaction)
    w3.eth.wait_for_transaction_receipt(tx_hash)
    batch_id = reply.json()["id"]
    reported = labeler.api.post(
        f"/api/jobs/{chain_job.pk}/batches/{batch_id}/tx", {"tx_hash": Web3.to_hex(tx_hash)}, format="json"
    )
    assert reported.json()["status"] == "submitted"
    index_and_handle(w3)
    assert LabelBatch.objects.get().status == LabelBatch.Status.CONFIRMED
    assert Label.objects.filter(status=Label.Status.CONFIRMED).count() == 4


def test_wallet_refused_frees_items(chain_job, admitted, dev_accounts):
    labeler = admitted(chain_job, dev_accounts[3])
    items = serve(labeler, chain_job, 2)
    batch_id = post_batch(labeler, chain_job, {"mode": "wallet", "labels": labels_for(items)}).json()["id"]
    reply = labeler.api.post(f"/api/jobs/{chain_job.pk}/batches/{batch_id}/tx", {"error": "rejected"}, format="json")
    assert reply.json()["status"] == "failed"
    assert set(Item.objects.filter(pk__in=[i["id"] for i in items]).values_list("labels_taken", flat=True)) == {0}
