"""Box votes on JobInstance: a min(count, 15) label recorded like a class label plus a commitment
emitted for the indexer, relayed with the worker's EIP-712 BoxBatch signature."""
import json

from eth_account.messages import encode_typed_data
from web3 import Web3

from apps.boxes.geometry import Box, box_commitment
from apps.chain.client import send
from apps.chain.eip712 import box_batch_typed_data, sign_typed_data
from apps.chain.labels import pack_labels

from .support import events, reverts_with, submit

BOXES = [Box(0, 10, 20, 30, 40), Box(2, 1.5, 2.25, 3, 4)]
COMMITMENT = box_commitment(BOXES)
OTHER = box_commitment([Box(0, 10, 20, 30, 41)])


def signed(w3, job, worker, *, labels, commitments, nonce=1):
    typed = box_batch_typed_data(
        chain_id=w3.eth.chain_id, instance=job.instance.address, worker=worker.address, labels=labels,
        commitments=commitments, nonce=nonce,
    )
    return sign_typed_data(account=worker, typed_data=typed)


def relay(job, relayer, worker, labels, commitments, nonce, signature):
    return send(job.instance.functions.submitBoxesFor(worker.address, labels, commitments, nonce, signature), sender=relayer)


def vote(w3, job, relayer, worker, labels, commitments, nonce=1):
    """A box batch signed by `worker` and relayed."""
    signature = signed(w3, job, worker, labels=labels, commitments=commitments, nonce=nonce)
    return relay(job, relayer, worker, labels, commitments, nonce, signature)


def test_box_vote_is_a_vote_and_emits_the_commitments(w3, job, roles):
    worker = roles.workers[0]
    labels = pack_labels(item_ids=[7, 9], labels=[2, 0])
    sent = vote(w3, job, roles.relayer, worker, labels, [COMMITMENT, OTHER])
    assert events(job.instance, "BoxesSubmitted", sent) == [
        {"worker": worker.address, "labels": labels, "commitments": [COMMITMENT, OTHER]}
    ]
    assert events(job.instance, "LabelsSubmitted", sent) == []  # one event per batch: the box one
    assert job.instance.functions.votes(7).call() == [[1], [2]]
    assert job.instance.functions.votes(9).call() == [[1], [0]]


def test_relayed_box_vote_counts_as_the_signers(w3, job, roles):
    worker = roles.workers[2]
    labels = pack_labels(item_ids=[4], labels=[2])
    signature = signed(w3, job, worker, labels=labels, commitments=[COMMITMENT], nonce=3)
    sent = relay(job, roles.relayer, worker, labels, [COMMITMENT], 3, signature)
    assert events(job.instance, "BoxesSubmitted", sent)[0]["commitments"] == [COMMITMENT]
    assert job.instance.functions.votes(4).call() == [[3], [2]]
    assert job.instance.functions.workerInfo(worker.address).call() == [3, 3, False]


def test_signature_binds_the_commitment_and_the_count(w3, job, roles):
    worker = roles.workers[0]
    labels = pack_labels(item_ids=[4], labels=[2])
    signature = signed(w3, job, worker, labels=labels, commitments=[COMMITMENT])
    with reverts_with("InvalidSignature"):
        relay(job, roles.relayer, worker, labels, [OTHER], 1, signature)
    with reverts_with("InvalidSignature"):
        relay(job, roles.relayer, worker, pack_labels(item_ids=[4], labels=[3]), [COMMITMENT], 1, signature)
    with reverts_with("InvalidSignature"):  # another worker's signature
        relay(job, roles.relayer, roles.workers[1], labels, [COMMITMENT], 1, signature)


def test_nonce_is_shared_with_label_batches(w3, job, roles):
    worker = roles.workers[0]
    labels = pack_labels(item_ids=[4], labels=[2])
    relay(job, roles.relayer, worker, labels, [COMMITMENT], 5, signed(w3, job, worker, labels=labels, commitments=[COMMITMENT], nonce=5))
    later = pack_labels(item_ids=[5], labels=[1])
    with reverts_with("NonceUsed"):
        relay(job, roles.relayer, worker, later, [OTHER], 5, signed(w3, job, worker, labels=later, commitments=[OTHER], nonce=5))


def test_one_commitment_per_label(w3, job, roles):
    worker = roles.workers[0]
    with reverts_with("MalformedBatch"):
        vote(w3, job, roles.relayer, worker, pack_labels(item_ids=[1, 2], labels=[1, 1]), [COMMITMENT])
    with reverts_with("MalformedBatch"):
        vote(w3, job, roles.relayer, worker, b"", [])


def test_box_votes_obey_the_vote_rules(w3, job, roles):
    worker = roles.workers[0]
    one = pack_labels(item_ids=[1], labels=[1])
    with reverts_with("NotAdmitted"):
        vote(w3, job, roles.relayer, roles.stranger, one, [COMMITMENT])
    submit(job.instance, worker, [1], [0])  # a class label on the item first
    with reverts_with("AlreadyVoted"):  # a box vote is the same vote
        vote(w3, job, roles.relayer, worker, one, [COMMITMENT])
    with reverts_with("ItemOutOfRange"):
        vote(w3, job, roles.relayer, worker, pack_labels(item_ids=[job.num_items], labels=[1]), [COMMITMENT])
    with reverts_with("ClassOutOfRange"):  # a 4-class job: counts above 3 need a 16-class (box) job
        vote(w3, job, roles.relayer, worker, pack_labels(item_ids=[2], labels=[5]), [COMMITMENT])


def test_counts_up_to_15_fit_a_box_job(w3, make_job, roles):
    box_job = make_job(num_classes=16)
    worker = roles.workers[0]
    send(box_job.instance.functions.admitWorkers([worker.address]), sender=roles.oracle)
    vote(w3, box_job, roles.relayer, worker, pack_labels(item_ids=[0], labels=[15]), [COMMITMENT])
    assert box_job.instance.functions.votes(0).call() == [[1], [15]]


def test_typed_data_round_trips_as_json(w3, job, roles):
    worker = roles.workers[0]
    labels = pack_labels(item_ids=[4], labels=[2])
    typed = box_batch_typed_data(
        chain_id=w3.eth.chain_id, instance=job.instance.address, worker=worker.address, labels=labels,
        commitments=[COMMITMENT], nonce=1,
    )
    again = worker.sign_message(encode_typed_data(full_message=json.loads(json.dumps(typed)))).signature
    assert again == signed(w3, job, worker, labels=labels, commitments=[COMMITMENT])
    assert job.instance.functions.BOX_BATCH_TYPEHASH().call() == Web3.keccak(
        text="BoxBatch(address worker,bytes labels,bytes32[] commitments,uint64 nonce)"
    )
