"""Attacks on the escrow (issue 11), each a regression test against a real anvil: the oracle key
alone, a requester, a relayer or a stranger cannot take what is not theirs; and every token has a
way out. Each failed on main before these rules (postPayoutRoot took any root at any time)."""
from __future__ import annotations

import pytest
from eth_account import Account

from apps.chain.client import send
from apps.chain.deploy import init_code, send_init_code
from apps.chain.merkle import Payout, build_payout_tree
from apps.chain.registry import contract_at
from crowdal_site.settings import ANVIL_DEV_KEY_11
from tests.chain_fixtures import BUDGET, DAY, TOKEN

from .support import (
    advance_time,
    events,
    label_items,
    reverts_with,
    settle_root,
    submit,
)

WINDOW = 3_600
CLAIM_PERIOD = 180 * DAY


@pytest.fixture
def guardian():
    return Account.from_key(ANVIL_DEV_KEY_11)


@pytest.fixture
def disputed_job(deployed, make_job, roles, guardian):
    """A job created while JobManagement gives new jobs a one-hour dispute window."""
    send(deployed.management.functions.setDisputeTerms(guardian.address, WINDOW), sender=roles.oracle)
    job = make_job()
    send(job.instance.functions.admitWorkers([w.address for w in roles.workers]), sender=roles.oracle)
    return job


def one_leaf(account: str, amount: int):
    return build_payout_tree([Payout(index=1, account=account, amount=amount)])


def claim(job, worker, tree, amount=None, index=1):
    amount = tree.total if amount is None else amount
    return send(job.instance.functions.claim(index, amount, tree.proofs[index]), sender=worker)


def test_the_oracle_cannot_post_a_root_before_labelling_closes(job, roles):
    tree = one_leaf(roles.oracle.address, BUDGET)
    with reverts_with("NotDue"):
        send(job.instance.functions.settle(0, [], tree.root, BUDGET, "cid"), sender=roles.oracle)


def test_the_oracle_cannot_pay_itself_the_budget(w3, job, roles):
    """The oracle key posts a one-leaf tree (itself, budget) once due and claims: refused."""
    advance_time(w3, job.deadline - w3.eth.get_block("latest")["timestamp"] + 1)
    tree = one_leaf(roles.oracle.address, BUDGET)
    send(job.instance.functions.settle(0, [], tree.root, BUDGET, "cid"), sender=roles.oracle)
    with reverts_with("NothingEarned"):
        claim(job, roles.oracle, tree)


def test_a_leaf_pays_at_most_labels_times_price(job, roles):
    worker = roles.workers[0]
    label_items(job.instance, worker, 3)
    assert job.instance.functions.labelCount(worker.address).call() == 3
    tree = build_payout_tree([Payout(1, worker.address, 3 * TOKEN + 1), Payout(2, roles.workers[1].address, 0)])
    settle_root(job, roles.oracle, tree.root, tree.total)
    with reverts_with("PayoutAboveEarned"):
        claim(job, worker, tree, amount=3 * TOKEN + 1)


def test_labels_end_with_the_requesters_stop(job, roles):
    with reverts_with("NotRequester"):
        send(job.instance.functions.stop(), sender=roles.oracle)
    submit(job.instance, roles.workers[0], [1], [1])
    sent = send(job.instance.functions.stop(), sender=job.requester)
    assert events(job.instance, "Stopped", sent) == [{"requester": job.requester.address}]
    with reverts_with("LabellingClosed"):
        submit(job.instance, roles.workers[1], [1], [1])
    with reverts_with("LabellingClosed"):
        send(job.instance.functions.stop(), sender=job.requester)
    assert job.instance.functions.settlementState().call()[0] is True


def test_claims_wait_for_the_dispute_window_and_a_root_can_be_cancelled(w3, disputed_job, roles, guardian):
    job, worker = disputed_job, roles.workers[0]
    label_items(job.instance, worker, 5)
    bad = one_leaf(worker.address, 5 * TOKEN)
    sent = settle_root(job, roles.oracle, bad.root, bad.total)
    (started,) = events(job.instance, "DisputeWindowStarted", sent)
    now = w3.eth.get_block("latest")["timestamp"]
    assert started["claimsOpenAt"] == now + WINDOW and started["claimDeadline"] == now + WINDOW + CLAIM_PERIOD
    with reverts_with("ClaimsNotOpen"):
        claim(job, worker, bad)
    with reverts_with("ClaimsNotOpen"):  # never a refund while a root is disputable
        send(job.instance.functions.refund(), sender=job.requester)
    with reverts_with("NotRequesterOrGuardian"):
        send(job.instance.functions.cancelRoot("mine"), sender=roles.oracle)

    cancelled = send(job.instance.functions.cancelRoot("pays a spammer"), sender=job.requester)
    assert events(job.instance, "RootCancelled", cancelled) == [
        {"root": bad.root, "by": job.requester.address, "reason": "pays a spammer"}
    ]
    assert job.instance.functions.escrowState().call() == [0, 0, False, False]
    with reverts_with("NotSettled"):
        claim(job, worker, bad)

    again = one_leaf(worker.address, 4 * TOKEN)
    send(job.instance.functions.settle(0, [], again.root, again.total, "cid2"), sender=roles.oracle)
    with reverts_with("AlreadyCancelled"):  # the requester cancels once
        send(job.instance.functions.cancelRoot("again"), sender=job.requester)
    send(job.instance.functions.cancelRoot("guardian: wrong truth"), sender=guardian)
    good = one_leaf(worker.address, 5 * TOKEN)
    send(job.instance.functions.settle(0, [], good.root, good.total, "cid3"), sender=roles.oracle)

    advance_time(w3, WINDOW)
    with reverts_with("DisputeWindowOver"):
        send(job.instance.functions.cancelRoot("late"), sender=guardian)
    claim(job, worker, good)
    send(job.instance.functions.refund(), sender=job.requester)
    assert job.instance.functions.escrowState().call() == [5 * TOKEN, 5 * TOKEN, True, True]


def test_unclaimed_payouts_are_swept_after_the_claim_deadline(w3, deployed, job, roles):
    worker, idle = roles.workers[0], roles.workers[1]
    label_items(job.instance, worker, 4)
    label_items(job.instance, idle, 6, first=10)
    tree = build_payout_tree([Payout(1, worker.address, 4 * TOKEN), Payout(2, idle.address, 6 * TOKEN)])
    settle_root(job, roles.oracle, tree.root, tree.total)
    with reverts_with("NotRequester"):
        send(job.instance.functions.sweep(), sender=roles.stranger)
    with reverts_with("SweepTooEarly"):
        send(job.instance.functions.sweep(), sender=job.requester)
    claim(job, worker, tree, amount=4 * TOKEN)
    advance_time(w3, CLAIM_PERIOD)
    with reverts_with("ClaimsClosed"):
        claim(job, idle, tree, amount=6 * TOKEN, index=2)
    sent = send(job.instance.functions.sweep(), sender=job.requester)
    assert events(job.instance, "Swept", sent) == [{"requester": job.requester.address, "amount": BUDGET - 4 * TOKEN}]
    assert deployed.token.functions.balanceOf(job.instance.address).call() == 0
    with reverts_with("AlreadyRefunded"):
        send(job.instance.functions.sweep(), sender=job.requester)
    with reverts_with("AlreadyRefunded"):
        send(job.instance.functions.refund(), sender=job.requester)


def test_tokens_sent_by_mistake_are_recovered_without_touching_the_escrow(w3, deployed, job, roles):
    token = deployed.token
    send(token.functions.mint(job.instance.address, 7 * TOKEN), sender=roles.oracle)  # sent by mistake
    other = contract_at(
        "CrowdToken",
        send_init_code(
            w3=w3, deployer=roles.oracle, code=init_code(w3=w3, name="CrowdToken", args=("Other", "OTH", roles.oracle.address, 0, False))
        ).address,
        w3=w3,
    )
    send(other.functions.mint(job.instance.address, 3 * TOKEN), sender=roles.oracle)
    with reverts_with("NotRequester"):
        send(job.instance.functions.recoverTokens(token.address), sender=roles.oracle)

    sent = send(job.instance.functions.recoverTokens(token.address), sender=job.requester)
    assert events(job.instance, "TokensRecovered", sent) == [
        {"token": token.address, "requester": job.requester.address, "amount": 7 * TOKEN}
    ]
    assert token.functions.balanceOf(job.instance.address).call() == BUDGET
    with reverts_with("NothingToRecover"):
        send(job.instance.functions.recoverTokens(token.address), sender=job.requester)
    send(job.instance.functions.recoverTokens(other.address), sender=job.requester)
    assert other.functions.balanceOf(job.requester.address).call() == 3 * TOKEN

    # After settlement and refund the escrow holds exactly the unclaimed payouts; still untouchable.
    worker = roles.workers[0]
    label_items(job.instance, worker, 2)
    tree = one_leaf(worker.address, 2 * TOKEN)
    settle_root(job, roles.oracle, tree.root, tree.total)
    send(job.instance.functions.refund(), sender=job.requester)
    with reverts_with("NothingToRecover"):
        send(job.instance.functions.recoverTokens(token.address), sender=job.requester)
    claim(job, worker, tree)


def test_dispute_terms_are_the_owners_and_bounded(deployed, roles, guardian):
    set_terms = deployed.management.functions.setDisputeTerms
    with reverts_with("OwnableUnauthorizedAccount"):
        send(set_terms(guardian.address, WINDOW), sender=roles.stranger)
    with reverts_with("DisputeWindowTooLong"):
        send(set_terms(guardian.address, 30 * DAY + 1), sender=roles.oracle)
    with reverts_with("ZeroAddress"):
        send(set_terms("0x" + "00" * 20, WINDOW), sender=roles.oracle)
