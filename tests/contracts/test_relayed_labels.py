import json

from eth_account.messages import encode_typed_data
from apps.chain.client import send
from apps.chain.eip712 import DOMAIN_NAME, DOMAIN_VERSION, label_batch_typed_data, sign_label_batch
from apps.chain.labels import pack_labels

from .support import events, reverts_with

ITEMS, LABELS = [3, 8, 21], [2, 0, 1]


def relay(job, relayer, worker_address, signature, *, nonce=1, items=ITEMS, labels=LABELS):
    call = job.instance.functions.submitLabelsFor(
        worker_address, pack_labels(item_ids=items, labels=labels), nonce, signature
    )
    return send(call, sender=relayer)


def signed(w3, job, worker, *, nonce=1, instance=None, chain_id=None, items=ITEMS, labels=LABELS):
    return sign_label_batch(
        account=worker,
        chain_id=chain_id or w3.eth.chain_id,
        instance=instance or job.instance.address,
        item_ids=items,
        labels=labels,
        nonce=nonce,
    )


def test_relayed_batch_counts_as_the_signers_labels(w3, job, roles):
    worker = roles.workers[1]
    sent = relay(job, roles.relayer, worker.address, signed(w3, job, worker, nonce=5), nonce=5)
    assert events(job.instance, "LabelsSubmitted", sent) == [
        {"worker": worker.address, "labels": pack_labels(item_ids=ITEMS, labels=LABELS)}
    ]
    assert job.instance.functions.votes(8).call() == [[2], [0]]
    assert job.instance.functions.workerInfo(worker.address).call() == [2, 5, False]


def test_domain_is_the_clone(w3, job):
    domain = job.instance.functions.eip712Domain().call()
    assert domain[1:5] == [DOMAIN_NAME, DOMAIN_VERSION, w3.eth.chain_id, job.instance.address]


def test_typed_data_is_plain_json_for_the_browser(w3, job, roles):
    worker = roles.workers[0]
    typed = label_batch_typed_data(
        chain_id=w3.eth.chain_id, instance=job.instance.address, worker=worker.address, item_ids=ITEMS, labels=LABELS, nonce=1
    )
    # What eth_signTypedData_v4 receives is the JSON text; signing its round trip must give the same signature.
    from_json = encode_typed_data(full_message=json.loads(json.dumps(typed)))
    assert worker.sign_message(from_json).signature == signed(w3, job, worker)
    assert typed["primaryType"] == "LabelBatch"


def test_each_nonce_is_used_once_in_any_order(w3, job, roles):
    """Attack regression: relaying the signed batch N + 1 first used to void batch N (StaleNonce)."""
    worker = roles.workers[0]
    signature = signed(w3, job, worker, nonce=2)
    relay(job, roles.relayer, worker.address, signature, nonce=2)
    with reverts_with("NonceUsed"):
        relay(job, roles.stranger, worker.address, signature, nonce=2)
    older = signed(w3, job, worker, nonce=1, items=[50], labels=[1])
    relay(job, roles.relayer, worker.address, older, nonce=1, items=[50], labels=[1])
    assert job.instance.functions.votes(50).call() == [[1], [1]]
    with reverts_with("NonceUsed"):
        relay(job, roles.relayer, worker.address, older, nonce=1, items=[50], labels=[1])
    assert job.instance.functions.workerInfo(worker.address).call()[1] == 2
    assert job.instance.functions.labelCount(worker.address).call() == len(ITEMS) + 1


def test_nonces_far_below_the_highest_expire(w3, job, roles):
    worker = roles.workers[1]
    window = job.instance.functions.NONCE_WINDOW().call()
    high = window + 2
    relay(job, roles.relayer, worker.address, signed(w3, job, worker, nonce=high), nonce=high)
    assert job.instance.functions.nonceUsable(worker.address, high - window).call()
    assert not job.instance.functions.nonceUsable(worker.address, high - window - 1).call()
    assert not job.instance.functions.nonceUsable(worker.address, 0).call()
    stale = signed(w3, job, worker, nonce=1, items=[60], labels=[1])
    with reverts_with("NonceUsed"):
        relay(job, roles.relayer, worker.address, stale, nonce=1, items=[60], labels=[1])
    assert not job.instance.functions.nonceUsable(worker.address, 2**40).call()  # above the 40-bit field


def test_signature_must_match_worker_batch_contract_and_chain(w3, make_job, job, roles):
    worker, other = roles.workers[0], roles.workers[1]
    other_job = make_job()
    cases = {
        "signed by another worker": signed(w3, job, other),
        "signed for another job": signed(w3, job, worker, instance=other_job.instance.address),
        "signed for another chain": signed(w3, job, worker, chain_id=1),
        "signed another batch": signed(w3, job, worker, labels=[2, 0, 3]),
        "signed another nonce": signed(w3, job, worker, nonce=2),
        "not a signature": b"\x01" * 65,
        "wrong length": signed(w3, job, worker)[:64],
    }
    for case, signature in cases.items():
        with reverts_with("InvalidSignature"):
            relay(job, roles.relayer, worker.address, signature)
    assert job.instance.functions.workerInfo(worker.address).call()[1] == 0


def test_relayed_labels_obey_the_same_rules(w3, job, roles):
    stranger = roles.stranger
    with reverts_with("NotAdmitted"):
        relay(job, roles.relayer, stranger.address, signed(w3, job, stranger))
    worker = roles.workers[0]
    with reverts_with("AlreadyVoted"):
        relay(job, roles.relayer, worker.address, signed(w3, job, worker, items=[1, 1], labels=[0, 0]), items=[1, 1], labels=[0, 0])
    with reverts_with("ClassOutOfRange"):
        relay(job, roles.relayer, worker.address, signed(w3, job, worker, items=[1], labels=[9]), items=[1], labels=[9])

