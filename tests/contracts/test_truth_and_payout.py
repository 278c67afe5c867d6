import pytest
from web3.exceptions import ContractCustomError

from apps.chain.client import send

from tests.chain_fixtures import BUDGET, DAY
from .support import advance_time, events, reverts_with, settle_root

CID = "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy"


def pack_truth(labels: list[int]) -> list[int]:
    """64 four-bit labels per word, item j of a word in bits 4j..4j+3."""
    labels = labels + [0] * (-len(labels) % 64)
    return [sum(label << (4 * j) for j, label in enumerate(labels[w : w + 64])) for w in range(0, len(labels), 64)]


def stop(job):
    return send(job.instance.functions.stop(), sender=job.requester)


def test_truth_is_stored_packed_and_announced(make_job, roles):
    job = make_job(num_items=130)
    stop(job)
    truth = [(7 * i) % 4 for i in range(130)]
    words = pack_truth(truth)
    sent = send(job.instance.functions.postTruth(0, words), sender=roles.oracle)
    assert events(job.instance, "TruthPosted", sent) == [{"startItem": 0, "words": words}]
    assert [job.instance.functions.truth(i).call() for i in range(130)] == truth

    corrected = pack_truth([3] * 64)
    send(job.instance.functions.postTruth(64, corrected), sender=roles.oracle)
    assert job.instance.functions.truth(64).call() == 3
    assert job.instance.functions.truth(128).call() == truth[128]


def test_truth_and_root_go_on_chain_in_one_transaction(make_job, roles):
    job = make_job(num_items=130)
    stop(job)
    words = pack_truth([1] * 130)
    sent = send(job.instance.functions.settle(64, words[1:], b"\x05" * 32, 7, CID), sender=roles.oracle)
    assert events(job.instance, "TruthPosted", sent) == [{"startItem": 64, "words": words[1:]}]
    assert events(job.instance, "PayoutRootPosted", sent) == [{"root": b"\x05" * 32, "totalPayout": 7, "reportCid": CID}]
    assert job.instance.functions.truth(129).call() == 1
    assert job.instance.functions.truth(0).call() == 0  # not posted: the chunk started at 64


def test_truth_is_checked(job, roles):
    post = job.instance.functions.postTruth
    with reverts_with("NotDue"):  # labelling is still open
        send(post(0, pack_truth([1])), sender=roles.oracle)
    stop(job)
    with reverts_with("NotOracle"):
        send(post(0, pack_truth([1])), sender=roles.stranger)
    with reverts_with("MalformedTruth"):
        send(post(3, pack_truth([1])), sender=roles.oracle)
    with reverts_with("MalformedTruth"):
        send(post(0, []), sender=roles.oracle)
    with reverts_with("ItemOutOfRange"):
        send(post(128, pack_truth([1])), sender=roles.oracle)  # the job has 100 items
    bad = pack_truth([1] * 37 + [job.num_classes])
    with reverts_with("ClassOutOfRange"):
        send(post(64, bad), sender=roles.oracle)
    with reverts_with("ClassOutOfRange"):  # settle checks its truth the same way
        send(job.instance.functions.settle(64, bad, b"\x05" * 32, 1, CID), sender=roles.oracle)


def test_class_out_of_range_names_the_item(job, roles):
    stop(job)
    bad = pack_truth([0] * 37 + [job.num_classes + 1])
    with pytest.raises(ContractCustomError) as failure:
        job.instance.functions.postTruth(64, bad).call({"from": roles.oracle.address})
    selector_and_args = failure.value.data
    assert int(selector_and_args[10:74], 16) == 64 + 37
    assert int(selector_and_args[74:138], 16) == job.num_classes + 1


def test_payout_root_is_posted_once(job, roles):
    root = b"\x05" * 32
    sent = settle_root(job, roles.oracle, root, BUDGET // 2, CID)
    assert events(job.instance, "PayoutRootPosted", sent) == [
        {"root": root, "totalPayout": BUDGET // 2, "reportCid": CID}
    ]
    assert job.instance.functions.payoutRoot().call() == root
    assert job.instance.functions.escrowState().call() == [0, BUDGET // 2, True, False]
    with reverts_with("AlreadySettled"):
        send(job.instance.functions.settle(0, [], root, 1, CID), sender=roles.oracle)
    with reverts_with("AlreadySettled"):
        send(job.instance.functions.postTruth(0, pack_truth([1])), sender=roles.oracle)


def test_payout_root_is_oracle_only_and_within_escrow(job, roles):
    stop(job)
    with reverts_with("NotOracle"):
        send(job.instance.functions.settle(0, [], b"\x05" * 32, 1, CID), sender=roles.stranger)
    with reverts_with("PayoutExceedsEscrow"):
        send(job.instance.functions.settle(0, [], b"\x05" * 32, BUDGET + 1, CID), sender=roles.oracle)


def test_no_payout_root_after_the_escrow_went_back(w3, job, roles):
    advance_time(w3, job.deadline - w3.eth.get_block("latest")["timestamp"] + 7 * DAY + 1)
    send(job.instance.functions.refund(), sender=job.requester)
    with reverts_with("AlreadyRefunded"):
        send(job.instance.functions.settle(0, [], b"\x05" * 32, 1, CID), sender=roles.oracle)
