import pytest

from apps.chain.client import send
from apps.chain.merkle import Payout, build_payout_tree

from tests.chain_fixtures import BUDGET, DAY, TOKEN
from .support import advance_time, events, label_disjoint, label_items, reverts_with, settle_root

GRACE = 7 * DAY


@pytest.fixture
def payouts(roles) -> list[Payout]:
    amounts = [40, 25, 10, 5]  # tokens; 80 of the 1,000 escrowed
    return [Payout(index=i + 1, account=w.address, amount=a * TOKEN) for i, (w, a) in enumerate(zip(roles.workers, amounts))]


@pytest.fixture
def settled(job, roles, payouts):
    label_disjoint(job.instance, roles.workers, [p.amount // TOKEN for p in payouts])
    tree = build_payout_tree(payouts)
    settle_root(job, roles.oracle, tree.root, tree.total)
    return tree


def claim(job, worker, payout, proof):
    return send(job.instance.functions.claim(payout.index, payout.amount, proof), sender=worker)


def balance(deployed, address):
    return deployed.token.functions.balanceOf(address).call()


def test_escrow_is_conserved_across_claims_and_refund(deployed, job, roles, payouts, settled):
    for worker, payout in zip(roles.workers, payouts):
        sent = claim(job, worker, payout, settled.proofs[payout.index])
        assert events(job.instance, "Claimed", sent) == [
            {"index": payout.index, "account": worker.address, "amount": payout.amount}
        ]
        assert balance(deployed, worker.address) == payout.amount
        assert job.instance.functions.workerInfo(worker.address).call()[2] is True
    sent = send(job.instance.functions.refund(), sender=job.requester)
    refunded = BUDGET - settled.total
    assert events(job.instance, "Refunded", sent) == [{"requester": job.requester.address, "amount": refunded}]

    paid = sum(balance(deployed, w.address) for w in roles.workers)
    assert paid == settled.total
    assert balance(deployed, job.requester.address) == refunded
    assert paid + refunded == BUDGET
    assert balance(deployed, job.instance.address) == 0
    assert job.instance.functions.escrowState().call() == [settled.total, settled.total, True, True]


def test_refund_before_claims_leaves_the_payouts(deployed, job, roles, payouts, settled):
    send(job.instance.functions.refund(), sender=job.requester)
    claim(job, roles.workers[0], payouts[0], settled.proofs[payouts[0].index])
    assert balance(deployed, job.instance.address) == settled.total - payouts[0].amount


def test_a_worker_claims_once(job, roles, payouts, settled):
    worker, payout = roles.workers[0], payouts[0]
    claim(job, worker, payout, settled.proofs[payout.index])
    with reverts_with("AlreadyClaimed"):
        claim(job, worker, payout, settled.proofs[payout.index])


def test_claims_need_the_exact_leaf(job, roles, payouts, settled):
    worker, payout = roles.workers[1], payouts[1]
    proof = settled.proofs[payout.index]
    wrong = [
        (Payout(payout.index, payout.account, payout.amount - 1), proof),
        (Payout(payout.index + 1, payout.account, payout.amount), proof),
        (payout, settled.proofs[payouts[0].index]),
        (payout, proof[:-1]),
    ]
    for leaf, leaf_proof in wrong:
        with reverts_with("InvalidProof"):
            claim(job, worker, leaf, leaf_proof)
    with reverts_with("PayoutAboveEarned"):  # more than its labels earned is refused before the proof
        claim(job, worker, Payout(payout.index, payout.account, payout.amount + 1), proof)
    with reverts_with("NothingEarned"):  # someone else's leaf, by an account that never labelled
        claim(job, roles.stranger, payout, proof)
    with reverts_with("InvalidProof"):  # someone else's leaf, by a labeller
        claim(job, roles.workers[0], payout, proof)


def test_no_claim_before_settlement(job, roles, payouts):
    with reverts_with("NotSettled"):
        claim(job, roles.workers[0], payouts[0], [])


def test_claims_never_exceed_the_posted_total(job, roles, payouts):
    label_disjoint(job.instance, roles.workers, [p.amount // TOKEN for p in payouts])
    tree = build_payout_tree(payouts)
    settle_root(job, roles.oracle, tree.root, payouts[0].amount)
    claim(job, roles.workers[0], payouts[0], tree.proofs[payouts[0].index])
    with reverts_with("PayoutExceedsEscrow"):
        claim(job, roles.workers[1], payouts[1], tree.proofs[payouts[1].index])


def test_refund_is_the_requesters_and_once(job, roles, settled):
    with reverts_with("NotRequester"):
        send(job.instance.functions.refund(), sender=roles.stranger)
    send(job.instance.functions.refund(), sender=job.requester)
    with reverts_with("AlreadyRefunded"):
        send(job.instance.functions.refund(), sender=job.requester)


def test_whole_budget_pays_out_with_an_empty_refund(deployed, make_job, roles):
    job = make_job(price=BUDGET // 10)
    send(job.instance.functions.admitWorkers([roles.workers[0].address]), sender=roles.oracle)
    label_items(job.instance, roles.workers[0], 10)
    tree = build_payout_tree([Payout(1, roles.workers[0].address, BUDGET)])
    settle_root(job, roles.oracle, tree.root, BUDGET)
    sent = send(job.instance.functions.refund(), sender=job.requester)
    assert events(job.instance, "Refunded", sent) == [{"requester": job.requester.address, "amount": 0}]
    claim(job, roles.workers[0], Payout(1, roles.workers[0].address, BUDGET), tree.proofs[1])
    assert balance(deployed, job.instance.address) == 0


def test_unsettled_job_refunds_everything_after_the_grace_period(w3, deployed, job, roles):
    with reverts_with("RefundTooEarly"):
        send(job.instance.functions.refund(), sender=job.requester)
    advance_time(w3, job.deadline - w3.eth.get_block("latest")["timestamp"] + GRACE - 60)
    with reverts_with("RefundTooEarly"):
        send(job.instance.functions.refund(), sender=job.requester)
    advance_time(w3, 61)
    sent = send(job.instance.functions.refund(), sender=job.requester)
    assert events(job.instance, "Refunded", sent) == [{"requester": job.requester.address, "amount": BUDGET}]
    assert balance(deployed, job.requester.address) == BUDGET
    assert balance(deployed, job.instance.address) == 0
