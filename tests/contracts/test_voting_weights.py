"""Voting weights: the oracle sets admitted workers' weights (16 bits of the worker record, 0 = 1),
weightedTally sums them per class, labels cost the same with or without weights, and a relayed
batch (which rewrites the record's nonce) keeps the weight."""
import pytest
from web3.exceptions import ContractCustomError

from apps.chain.client import send
from apps.chain.eip712 import sign_label_batch
from apps.chain.labels import pack_labels

from .support import events, reverts_with, settle_root, submit


def test_weighted_tally_sums_weights_per_class(job, roles):
    a, b, c, d = roles.workers[:4]
    sent = send(job.instance.functions.setWeights([a.address, b.address], [7, 0]), sender=roles.oracle)
    assert events(job.instance, "WeightsSet", sent) == [{"workers": [a.address, b.address], "weights": [7, 0]}]
    submit(job.instance, a, [0], [2])
    submit(job.instance, b, [0], [1])
    submit(job.instance, c, [0], [1])
    assert job.instance.functions.tally(0).call()[0] == [0, 2, 1, 0]
    assert job.instance.functions.weightedTally(0).call() == [0, 2, 7, 0]  # b: 0 = default 1; c never weighted
    assert [job.instance.functions.weightOf(w.address).call() for w in (a, b, c)] == [7, 1, 1]

    send(job.instance.functions.setWeights([a.address, c.address], [2, 16]), sender=roles.oracle)
    assert job.instance.functions.weightedTally(0).call() == [0, 17, 2, 0]
    assert job.instance.functions.weightedTally(1).call() == [0, 0, 0, 0]
    with pytest.raises(ContractCustomError):  # ItemOutOfRange
        job.instance.functions.weightedTally(job.num_items).call()


def test_set_weights_is_oracle_only_for_admitted_workers_before_settlement(job, roles):
    worker = roles.workers[0]
    with reverts_with("NotOracle"):
        send(job.instance.functions.setWeights([worker.address], [5]), sender=roles.requester)
    with reverts_with("NotOracle"):
        send(job.instance.functions.setWeights([worker.address], [5]), sender=worker)
    with reverts_with("NotAdmitted"):
        send(job.instance.functions.setWeights([worker.address, roles.stranger.address], [5, 5]), sender=roles.oracle)
    with reverts_with("MalformedWeights"):
        send(job.instance.functions.setWeights([worker.address], [5, 6]), sender=roles.oracle)
    assert job.instance.functions.weightOf(worker.address).call() == 1  # nothing of the reverted calls stuck
    settle_root(job, roles.oracle, b"\x01" * 32, 0, "cid")
    with reverts_with("AlreadySettled"):
        send(job.instance.functions.setWeights([worker.address], [5]), sender=roles.oracle)


def test_label_gas_does_not_change_with_weights(make_job, roles):
    plain, weighted = make_job(), make_job()
    workers = roles.workers[:3]
    for job in (plain, weighted):
        send(job.instance.functions.admitWorkers([w.address for w in workers]), sender=roles.oracle)
    first = send(weighted.instance.functions.setWeights([w.address for w in workers], [16, 9, 3]), sender=roles.oracle)
    again = send(weighted.instance.functions.setWeights([w.address for w in workers], [15, 8, 2]), sender=roles.oracle)
    # A worker's first weight also records its index -> address (a fresh slot); a change rewrites its record.
    assert first.gas_used < 30_000 + 30_000 * len(workers)
    assert again.gas_used < 30_000 + 12_000 * len(workers)
    print(f"setWeights for {len(workers)} workers: first {first.gas_used}, again {again.gas_used}")
    gas = {
        name: [submit(job.instance, w, list(range(8)), [1] * 8).gas_used for w in workers]
        for name, job in (("plain", plain), ("weighted", weighted))
    }
    assert gas["plain"] == gas["weighted"]


def test_relayed_batch_keeps_the_weight(job, roles, w3):
    worker = roles.workers[0]
    send(job.instance.functions.setWeights([worker.address], [12]), sender=roles.oracle)
    signature = sign_label_batch(
        account=worker, chain_id=w3.eth.chain_id, instance=job.instance.address, item_ids=[3], labels=[2], nonce=5
    )
    packed = pack_labels(item_ids=[3], labels=[2])
    send(job.instance.functions.submitLabelsFor(worker.address, packed, 5, signature), sender=roles.relayer)
    assert job.instance.functions.workerInfo(worker.address).call() == [1, 5, False]
    assert job.instance.functions.weightOf(worker.address).call() == 12
    assert job.instance.functions.weightedTally(3).call() == [0, 0, 12, 0]
