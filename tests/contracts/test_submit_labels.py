import pytest
from web3 import Web3
from web3.exceptions import ContractCustomError

from apps.chain.client import send
from apps.chain.labels import pack_labels

from .support import advance_time, error_selector, events, funded_accounts, reverts_with, settle_root, submit

ZERO = "0x" + "00" * 20
STATE_SLOT = 2  # after EIP712's two fallback strings; holds the worker count at bits 192..207


def test_admit_workers_gives_consecutive_indexes(make_job, roles):
    job = make_job()
    first = send(job.instance.functions.admitWorkers([w.address for w in roles.workers[:2]]), sender=roles.oracle)
    second = send(job.instance.functions.admitWorkers([roles.workers[2].address]), sender=roles.oracle)
    assert events(job.instance, "WorkersAdmitted", first) == [
        {"firstIndex": 1, "workers": [w.address for w in roles.workers[:2]]}
    ]
    assert events(job.instance, "WorkersAdmitted", second) == [{"firstIndex": 3, "workers": [roles.workers[2].address]}]
    assert job.instance.functions.workerCount().call() == 3
    assert job.instance.functions.workerInfo(roles.workers[2].address).call() == [3, 0, False]
    assert job.instance.functions.workerInfo(roles.stranger.address).call() == [0, 0, False]


def test_admission_is_oracle_only_and_once(job, roles):
    with reverts_with("NotOracle"):
        send(job.instance.functions.admitWorkers([roles.stranger.address]), sender=roles.stranger)
    with reverts_with("AlreadyAdmitted"):
        send(job.instance.functions.admitWorkers([roles.workers[0].address]), sender=roles.oracle)
    with reverts_with("AlreadyAdmitted"):
        send(job.instance.functions.admitWorkers([roles.stranger.address] * 2), sender=roles.oracle)
    with reverts_with("ZeroAddress"):
        send(job.instance.functions.admitWorkers([ZERO]), sender=roles.oracle)


def test_admission_stops_at_the_16_bit_index_limit(w3, job, roles):
    state = int.from_bytes(w3.eth.get_storage_at(job.instance.address, STATE_SLOT), "big")
    assert (state >> 192) & 0xFFFF == len(roles.workers)
    full = state | (0xFFFF << 192)
    w3.provider.make_request("anvil_setStorageAt", [job.instance.address, hex(STATE_SLOT), "0x%064x" % full])
    with reverts_with("TooManyWorkers"):
        send(job.instance.functions.admitWorkers([roles.stranger.address]), sender=roles.oracle)


def test_labels_are_recorded_tallied_and_announced(job, roles):
    a, b, c = roles.workers[:3]
    sent = submit(job.instance, a, [0, 7, 99], [1, 3, 0])
    assert events(job.instance, "LabelsSubmitted", sent) == [
        {"worker": a.address, "labels": pack_labels(item_ids=[0, 7, 99], labels=[1, 3, 0])}
    ]
    submit(job.instance, b, [7], [3])
    submit(job.instance, c, [7], [2])

    assert job.instance.functions.votes(7).call() == [[1, 2, 3], [3, 3, 2]]
    assert job.instance.functions.tally(7).call() == [[0, 0, 1, 2], 3]
    assert job.instance.functions.majority(7).call() == [3, 2, 3]
    assert job.instance.functions.majority(0).call() == [1, 1, 1]
    assert job.instance.functions.majority(50).call() == [0, 0, 0]


def test_majority_breaks_ties_to_the_lowest_class(job, roles):
    submit(job.instance, roles.workers[0], [5], [3])
    submit(job.instance, roles.workers[1], [5], [1])
    assert job.instance.functions.majority(5).call() == [1, 1, 2]


def test_unadmitted_worker_cannot_label(job, roles):
    with reverts_with("NotAdmitted"):
        submit(job.instance, roles.stranger, [0], [0])


def test_no_worker_labels_an_item_twice(job, roles):
    worker = roles.workers[0]
    with reverts_with("AlreadyVoted"):
        submit(job.instance, worker, [4, 4], [1, 2])
    submit(job.instance, worker, [4], [1])
    with reverts_with("AlreadyVoted"):
        submit(job.instance, worker, [5, 4], [0, 1])
    assert job.instance.functions.votes(5).call() == [[], []]  # the whole batch reverted


def test_labels_and_items_must_be_in_range(job, roles):
    worker = roles.workers[0]
    with reverts_with("ClassOutOfRange"):
        submit(job.instance, worker, [0], [job.num_classes])
    with reverts_with("ItemOutOfRange"):
        submit(job.instance, worker, [job.num_items], [0])
    with pytest.raises(ContractCustomError, match=error_selector("ItemOutOfRange(uint256)")):
        job.instance.functions.tally(job.num_items).call()


def test_malformed_batches_revert(job, roles):
    for packed in (b"", b"\x00\x00\x00\x10\x00"):
        with reverts_with("MalformedBatch"):
            send(job.instance.functions.submitLabels(packed), sender=roles.workers[0])


def test_an_item_takes_redundancy_votes_until_extended(job, roles):
    for worker in roles.workers[: job.redundancy]:
        submit(job.instance, worker, [9], [2])
    fourth, fifth = roles.workers[job.redundancy : job.redundancy + 2]
    with reverts_with("ItemFull"):
        submit(job.instance, fourth, [9], [2])

    sent = send(job.instance.functions.extendRedundancy([9, 10], 1), sender=roles.oracle)
    assert events(job.instance, "RedundancyExtended", sent) == [{"itemIds": [9, 10], "extra": 1}]
    submit(job.instance, fourth, [9], [1])
    assert job.instance.functions.tally(9).call() == [[0, 1, 3, 0], 4]
    with reverts_with("ItemFull"):
        submit(job.instance, fifth, [9], [2])


def test_an_item_word_holds_twelve_votes_from_high_indexes(w3, make_job, roles):
    job = make_job(num_classes=16, redundancy=12)
    # A few hundred fillers push the real workers' indexes past 8 bits.
    fillers = [Web3.to_checksum_address(f"0x{i:040x}") for i in range(1, 301)]
    send(job.instance.functions.admitWorkers(fillers), sender=roles.oracle)
    workers = funded_accounts(w3, 12)
    send(job.instance.functions.admitWorkers([w.address for w in workers]), sender=roles.oracle)
    for label, worker in enumerate(workers):
        submit(job.instance, worker, [3], [label + 4])
    assert job.instance.functions.votes(3).call() == [list(range(301, 313)), list(range(4, 16))]
    assert job.instance.functions.tally(3).call() == [[0] * 4 + [1] * 12, 12]


def test_extend_redundancy_is_oracle_only_and_capped(job, roles):
    with reverts_with("NotOracle"):
        send(job.instance.functions.extendRedundancy([1], 1), sender=roles.stranger)
    with reverts_with("ItemOutOfRange"):
        send(job.instance.functions.extendRedundancy([job.num_items], 1), sender=roles.oracle)
    send(job.instance.functions.extendRedundancy([1], 12 - job.redundancy), sender=roles.oracle)
    with reverts_with("RedundancyTooHigh"):
        send(job.instance.functions.extendRedundancy([1], 1), sender=roles.oracle)


def test_no_labels_or_extensions_after_the_deadline(w3, job, roles):
    advance_time(w3, job.deadline - w3.eth.get_block("latest")["timestamp"] + 1)
    with reverts_with("LabellingClosed"):
        submit(job.instance, roles.workers[0], [0], [0])
    with reverts_with("LabellingClosed"):
        send(job.instance.functions.extendRedundancy([0], 1), sender=roles.oracle)


def test_no_labels_after_settlement(job, roles):
    settle_root(job, roles.oracle, b"\x01" * 32, 0, "report")
    with reverts_with("LabellingClosed"):
        submit(job.instance, roles.workers[0], [0], [0])
