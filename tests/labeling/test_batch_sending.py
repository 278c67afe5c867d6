"""Relayed batches are the batch worker's to send (apps/labeling/sending.py): the API returns once
the batch is signed and stored, the worker claims and sends it once, sends again what reverted or
was dropped, and expires what never made it, giving the item slots back. On a real anvil."""

from datetime import timedelta

from django.utils import timezone

from apps.chain.client import relayer_account, submit
from apps.chain.relaying import label_batch_call
from apps.jobs.models import Item
from apps.labeling.models import Label, LabelBatch
from apps.labeling.sending import send_batch, sweep_batches
from tests.labeling.batching import labels_for, post_batch, serve, signed_batch
from tests.labeling.conftest import index_and_handle

Status = LabelBatch.Status


def slots(items) -> set[int]:
    return set(Item.objects.filter(pk__in=[i["id"] for i in items]).values_list("labels_taken", flat=True))


def test_the_api_returns_before_anything_is_sent_and_the_worker_sends_once(chain_job, admitted, dev_accounts, w3):
    labeler = admitted(chain_job, dev_accounts[3])
    items = serve(labeler, chain_job, 4)
    relayer_nonce = w3.eth.get_transaction_count(relayer_account().address)

    reply = post_batch(labeler, chain_job, signed_batch(labeler, chain_job, labels_for(items)), send=False)
    assert reply.status_code == 201 and reply.json()["status"] == Status.PENDING
    assert w3.eth.get_transaction_count(relayer_account().address) == relayer_nonce  # the request sent nothing

    batch = LabelBatch.objects.get()
    assert send_batch(batch_id=batch.pk).status == Status.SUBMITTED
    assert send_batch(batch_id=batch.pk) is None  # a second delivery of the message: not pending any more
    assert sweep_batches() == 0
    assert w3.eth.get_transaction_count(relayer_account().address) == relayer_nonce + 1
    index_and_handle(w3)
    assert LabelBatch.objects.get().status == Status.CONFIRMED


def test_a_claim_held_by_a_live_worker_is_left_alone_and_a_crashed_ones_taken_over(
    chain_job, admitted, dev_accounts, settings
):
    labeler = admitted(chain_job, dev_accounts[3])
    post_batch(
        labeler, chain_job, signed_batch(labeler, chain_job, labels_for(serve(labeler, chain_job, 2))), send=False
    )
    batch = LabelBatch.objects.get()
    LabelBatch.objects.filter(pk=batch.pk).update(sending_since=timezone.now())  # another worker is on it
    assert send_batch(batch_id=batch.pk) is None and sweep_batches() == 0
    stale = timezone.now() - timedelta(seconds=settings.LABELING_SEND_CLAIM_SECONDS + 1)
    LabelBatch.objects.filter(pk=batch.pk).update(sending_since=stale)  # ... and died holding it
    assert sweep_batches() == 1
    assert LabelBatch.objects.get().status == Status.SUBMITTED


def _sent_long_ago(batch_id: int, tx_hash: str) -> None:
    LabelBatch.objects.filter(pk=batch_id).update(
        status=Status.SUBMITTED, tx_hash=tx_hash, sent_at=timezone.now() - timedelta(minutes=5), send_attempts=1
    )


def test_a_reverted_batch_is_sent_again_with_the_same_signature(chain_job, admitted, dev_accounts, w3):
    labeler = admitted(chain_job, dev_accounts[3])
    items = serve(labeler, chain_job, 5)
    post_batch(labeler, chain_job, signed_batch(labeler, chain_job, labels_for(items)), send=False)
    batch = LabelBatch.objects.select_related("job", "worker").get()
    # Its first send ran out of gas, as a batch sent at a stale estimate did (issue 16).
    relay = label_batch_call(
        instance=batch.job.instance_address,
        worker=batch.worker.address,
        packed=batch.packed,
        nonce=batch.nonce,
        signature=batch.signature,
    )
    reverted = submit(relay.call, sender=relayer_account(), gas=60_000).to_0x_hex()
    w3.eth.wait_for_transaction_receipt(reverted)
    _sent_long_ago(batch.pk, reverted)

    sweep_batches()  # sees the revert: pending again, and asks for a send
    assert LabelBatch.objects.get().status == Status.PENDING
    sweep_batches()  # the send (a worker's message would have done it at once)
    resent = LabelBatch.objects.get()
    assert resent.status == Status.SUBMITTED and resent.tx_hash != reverted and resent.send_attempts == 2
    index_and_handle(w3)
    assert LabelBatch.objects.get().status == Status.CONFIRMED
    assert set(Label.objects.values_list("status", flat=True)) == {Label.Status.CONFIRMED}
    assert slots(items) == {1}


def test_a_dropped_batch_is_sent_again_and_one_that_never_lands_fails_and_frees_its_items(
    chain_job, admitted, dev_accounts, w3, settings
):
    labeler = admitted(chain_job, dev_accounts[3])
    items = serve(labeler, chain_job, 3)
    post_batch(labeler, chain_job, signed_batch(labeler, chain_job, labels_for(items)), send=False)
    batch = LabelBatch.objects.get()
    _sent_long_ago(batch.pk, "0x" + "ee" * 32)  # a hash the node does not know: dropped from its pool
    sweep_batches()
    sweep_batches()
    assert LabelBatch.objects.get().status == Status.SUBMITTED and LabelBatch.objects.get().tx_hash != "0x" + "ee" * 32

    # Out of sends: the next time it is dropped it fails and gives its slots back.
    settings.LABELING_SEND_ATTEMPTS = 2
    LabelBatch.objects.filter(pk=batch.pk).update(send_attempts=2)
    _sent_long_ago(batch.pk, "0x" + "ef" * 32)
    LabelBatch.objects.filter(pk=batch.pk).update(send_attempts=2)
    sweep_batches()
    sweep_batches()
    failed = LabelBatch.objects.get()
    assert failed.status == Status.FAILED and "2 sends" in failed.error
    assert slots(items) == {0}


def test_a_batch_never_sent_expires_and_gives_its_slots_back(chain_job, admitted, dev_accounts, settings):
    labeler = admitted(chain_job, dev_accounts[3])
    items = serve(labeler, chain_job, 3)
    reply = labeler.api.post(
        f"/api/jobs/{chain_job.pk}/batches", {"mode": "wallet", "labels": labels_for(items)}, format="json"
    )
    assert reply.status_code == 201
    assert sweep_batches() == 0 and slots(items) == {1}  # a wallet batch waits for its page's report ...
    LabelBatch.objects.update(created_at=timezone.now() - timedelta(seconds=settings.LABELING_BATCH_EXPIRY_SECONDS + 1))
    assert sweep_batches() == 1  # ... for a while
    assert LabelBatch.objects.get().status == Status.FAILED
    assert slots(items) == {0}


def test_a_wallet_batch_reported_with_a_hash_not_its_own_is_refused_at_once(chain_job, admitted, dev_accounts, w3):
    labeler = admitted(chain_job, dev_accounts[3])
    admitted(chain_job, dev_accounts[4])  # so that its transaction below is a vote the chain takes
    items = serve(labeler, chain_job, 3)
    created = labeler.api.post(
        f"/api/jobs/{chain_job.pk}/batches", {"mode": "wallet", "labels": labels_for(items)}, format="json"
    )
    batch_id = created.json()["id"]
    url = f"/api/jobs/{chain_job.pk}/batches/{batch_id}/tx"

    made_up = labeler.api.post(url, {"tx_hash": "0x" + "12" * 32}, format="json")
    assert made_up.status_code == 400 and made_up.json()["field"] == "tx_hash"
    prepared = labeler.api.post(
        f"/api/jobs/{chain_job.pk}/batches/prepare", {"labels": labels_for(items)}, format="json"
    ).json()
    # The right calldata from another wallet is not this batch's either.
    foreign = w3.eth.send_transaction({"from": dev_accounts[4].address, "to": prepared["to"], "data": prepared["data"]})
    assert labeler.api.post(url, {"tx_hash": foreign.to_0x_hex()}, format="json").status_code == 400
    assert LabelBatch.objects.get(pk=batch_id).status == Status.PENDING and slots(items) == {1}

    own = w3.eth.send_transaction({"from": labeler.account.address, "to": prepared["to"], "data": prepared["data"]})
    reported = labeler.api.post(url, {"tx_hash": own.to_0x_hex()}, format="json")
    assert reported.status_code == 200 and reported.json()["status"] == Status.SUBMITTED


def test_a_node_that_is_down_answers_503_with_a_retry_hint_and_keeps_the_batch(
    chain_job, admitted, dev_accounts, settings
):
    labeler = admitted(chain_job, dev_accounts[3])
    items = serve(labeler, chain_job, 2)
    post_batch(labeler, chain_job, signed_batch(labeler, chain_job, labels_for(items)), send=False)
    settings.CHAIN_RPC_URL = "http://127.0.0.1:9"  # nothing listens: connection refused

    reply = labeler.api.post(f"/api/jobs/{chain_job.pk}/batches/prepare", {"labels": labels_for(items)}, format="json")
    assert reply.status_code == 503 and reply["Retry-After"]
    assert reply.json()["code"] == "unavailable" and "unreachable" in reply.json()["detail"]

    batch = LabelBatch.objects.get()
    assert send_batch(batch_id=batch.pk).status == Status.PENDING  # kept, claim released, for the next sweep
    assert LabelBatch.objects.get().sending_since is None and slots(items) == {1}


def test_a_workers_batches_are_sent_in_nonce_order(chain_job, admitted, dev_accounts, w3):
    """Sent the other way round, the later nonce would land first and the earlier batch go stale."""
    labeler = admitted(chain_job, dev_accounts[3])
    for _ in range(2):
        post_batch(
            labeler, chain_job, signed_batch(labeler, chain_job, labels_for(serve(labeler, chain_job, 2))), send=False
        )
    first, second = LabelBatch.objects.order_by("nonce")
    assert send_batch(batch_id=second.pk) is None  # its message came first: it waits for the earlier one
    assert send_batch(batch_id=first.pk).status == Status.SUBMITTED
    assert send_batch(batch_id=second.pk).status == Status.SUBMITTED
    index_and_handle(w3)
    assert set(LabelBatch.objects.values_list("status", flat=True)) == {Status.CONFIRMED}
