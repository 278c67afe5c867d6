"""AnonymousRewards with real Groth16 proofs of the anon_claim circuit (zk/claim/prove.mjs) on anvil.

The labels' Semaphore nullifiers are computed here as AnonymousLabels would make them,
Poseidon2(scopeHash, secret), with a scope hash per (job, item) standing in for its
(chain, contract, job, item) scope: the claim only ever sees the nullifiers and scope hashes.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass

import pytest
from eth_abi import encode
from eth_account import Account
from web3 import Web3

from apps.chain.anonymous_rewards import (
    AnonymousLabel,
    CLAIM_DEPTH,
    CLAIM_SLOTS,
    ClaimProof,
    ZkHelperFailed,
    anonymous_pool_payout,
    build_correct_tree,
    check_claim,
    correct_nullifiers,
    merkle_path,
    post_correct_root,
    prove_claim,
    pull_pool,
    relay_claim,
    run_zk_claim_helper,
)
from apps.chain.client import send
from apps.chain.merkle import Payout, build_payout_tree
from apps.chain.registry import contract

from tests.chain_fixtures import TOKEN
from .support import advance_time, error_selector, events, reverts_with, set_anonymous_label_count, settle_root

REWARD = 2 * TOKEN
# Order of Baby Jubjub's prime subgroup: Semaphore v4 identity secrets (secretScalar) lie below it.
SUBGROUP_ORDER = 2736030358979909402780800718157159386076813972158567259200215660948447373041


def scope_hash(job: str, item_id: int) -> int:
    return int.from_bytes(Web3.keccak(encode(["address", "uint256"], [job, item_id]))) >> 8


@dataclass(frozen=True)
class Identity:
    secret: int
    scopes: dict[int, int]  # item id -> scope hash
    nullifiers: dict[int, int]  # item id -> Semaphore nullifier of its label there


def identity(job: str, item_ids: list[int]) -> Identity:
    secret = secrets.randbelow(SUBGROUP_ORDER)
    scopes = {item: scope_hash(job, item) for item in item_ids}
    answer = run_zk_claim_helper("tree.mjs", {"secret": secret, "scopeHashes": list(scopes.values())})
    return Identity(secret, scopes, dict(zip(item_ids, (int(n) for n in answer["labelNullifiers"]))))


@dataclass(frozen=True)
class Scenario:
    """Truth is class 1 everywhere; A labels items 0-3 (item 3 wrong), B items 0 and 4."""

    a: Identity
    b: Identity
    correct: list[int]

    def proof(self, rewards, job, who: Identity, items: list[int], recipient: str) -> ClaimProof:
        return prove_claim(
            secret=who.secret,
            scope_hashes=[who.scopes[i] for i in items],
            correct=self.correct,
            root=rewards.functions.pool(job).call()[0],
            job_scope=rewards.functions.jobScope(job).call(),
            recipient=recipient,
        )


def scenario_for(job: str) -> Scenario:
    a, b = identity(job, [0, 1, 2, 3]), identity(job, [0, 4])
    labels = [AnonymousLabel(i, 0 if i == 3 else 1, n) for i, n in a.nullifiers.items()]
    labels += [AnonymousLabel(i, 1, n) for i, n in b.nullifiers.items()]
    return Scenario(a, b, correct_nullifiers(labels=labels, truth={i: 1 for i in range(5)}))


@pytest.fixture
def rewards(w3, deployed):
    return contract("AnonymousRewards", w3=w3)


@pytest.fixture
def fund_labels(w3, rewards):
    """The pool leaf pays at most the job's anonymous labels × price: give the job enough of them."""

    def fund(job, pool: Payout) -> None:
        price = job.instance.functions.params().call()[7]
        labels = contract("AnonymousLabels", w3=w3)
        set_anonymous_label_count(w3, labels, job.instance.address, -(-pool.amount // price))

    return fund


@pytest.fixture
def settle(rewards, roles, fund_labels):
    """Settle a job whose payout tree funds the anonymous pool, post the correct-labels root, pull the pool."""

    def settle(job, correct: list[int], *, correct_count: int | None = None) -> None:
        count = len(correct) if correct_count is None else correct_count
        pool = anonymous_pool_payout(rewards=rewards, index=1, reward_per_label=REWARD, correct_count=count)
        tree = build_payout_tree([pool, Payout(2, roles.workers[0].address, 5 * TOKEN)])
        settle_root(job, roles.oracle, tree.root, tree.total, "report")
        address = job.instance.address
        if correct_count is None:
            post_correct_root(
                rewards=rewards, job=address, nullifiers=correct, reward_per_label=REWARD, oracle=roles.oracle
            )
        else:
            root = build_correct_tree(correct).root
            send(rewards.functions.postCorrectRoot(address, root, REWARD, count), sender=roles.oracle)
        fund_labels(job, pool)
        pull_pool(rewards=rewards, job=address, payout=pool, proof=tree.proofs[1], sender=roles.stranger)

    return settle


@pytest.fixture
def scenario(job, settle) -> Scenario:
    made = scenario_for(job.instance.address)
    settle(job, made.correct)
    return made


def balance(deployed, address: str) -> int:
    return deployed.token.functions.balanceOf(address).call()


def relay(rewards, job, recipient, claim, roles):
    return relay_claim(
        rewards=rewards, job=job.instance.address, recipient=recipient, claim=claim, relayer=roles.relayer
    )


def junk_claim(count: int = 1) -> ClaimProof:
    return ClaimProof(count=count, claim_nullifiers=[1] + [0] * (CLAIM_SLOTS - 1), proof=[0] * 8, ms=0)


def test_a_claim_pays_a_fresh_address_through_a_relayer(w3, deployed, rewards, job, roles, scenario):
    fresh = Account.create().address  # holds no ETH: the relayer pays the gas
    address = job.instance.address
    claim = scenario.proof(rewards, address, scenario.a, [0, 1, 2], fresh)
    assert claim.count == 3
    assert claim.claim_nullifiers[3:] == [0] * (CLAIM_SLOTS - 3)
    # Claim nullifiers differ from the label nullifiers published with the labels.
    assert not set(claim.claim_nullifiers[:3]) & set(scenario.correct)
    check_claim(rewards=rewards, job=address, recipient=fresh, claim=claim, relayer=roles.relayer.address)

    sent = relay(rewards, job, fresh, claim, roles)
    assert events(rewards, "AnonymousRewardClaimed", sent) == [
        {"job": address, "recipient": fresh, "count": 3, "amount": 3 * REWARD}
    ]
    assert balance(deployed, fresh) == 3 * REWARD
    assert w3.eth.get_balance(fresh) == 0
    assert all(rewards.functions.spent(n).call() for n in claim.claim_nullifiers[:3])
    assert rewards.functions.pool(address).call()[3:] == [True, 3 * REWARD]
    print(f"\nanon_claim_gas={sent.gas_used} claim_proof_ms_node={claim.ms}")


def test_a_proof_binds_its_count_nullifiers_recipient_and_job(
    deployed, rewards, make_job, job, roles, settle, scenario
):
    address, fresh = job.instance.address, Account.create().address
    claim = scenario.proof(rewards, address, scenario.a, [1, 2], fresh)
    forged = [
        (fresh, ClaimProof(3, claim.claim_nullifiers, claim.proof, 0)),  # more labels than proven
        (fresh, ClaimProof(1, claim.claim_nullifiers, claim.proof, 0)),
        (fresh, ClaimProof(2, [claim.claim_nullifiers[0] + 1, *claim.claim_nullifiers[1:]], claim.proof, 0)),
        (fresh, ClaimProof(2, claim.claim_nullifiers, [0] * 8, 0)),  # not a proof at all
        (roles.stranger.address, claim),  # someone who saw the relayed proof redirecting it
    ]
    for recipient, attempt in forged:
        with reverts_with("InvalidProof"):
            relay(rewards, job, recipient, attempt, roles)

    # Another job with the very same correct labels and root: the proof names its job.
    other = make_job()
    settle(other, scenario.correct)
    assert rewards.functions.pool(other.instance.address).call()[0] == rewards.functions.pool(address).call()[0]
    with reverts_with("InvalidProof"):
        relay(rewards, other, fresh, claim, roles)

    relay(rewards, job, fresh, claim, roles)  # the genuine claim still goes through
    assert balance(deployed, fresh) == 2 * REWARD


def test_a_label_is_paid_once_across_claims(deployed, rewards, job, roles, scenario):
    address = job.instance.address
    first, second = Account.create().address, Account.create().address
    relay(rewards, job, first, scenario.proof(rewards, address, scenario.a, [0, 1], first), roles)
    again = scenario.proof(rewards, address, scenario.a, [1, 2], second)  # label 1 again, new proof
    with reverts_with("NullifierSpent"):
        relay(rewards, job, second, again, roles)
    relay(rewards, job, second, scenario.proof(rewards, address, scenario.a, [2], second), roles)
    assert balance(deployed, first) + balance(deployed, second) == 3 * REWARD


def test_a_label_twice_in_one_claim_is_rejected(rewards, job, roles, scenario):
    """A hand-made witness repeating one label in two slots is a valid proof; the contract refuses it."""
    address, fresh = job.instance.address, Account.create().address
    scope, leaf = scenario.a.scopes[0], scenario.a.nullifiers[0]
    path = merkle_path(scenario.correct, leaf)
    unused = CLAIM_SLOTS - 2
    witness = {
        "root": rewards.functions.pool(address).call()[0],
        "jobScope": rewards.functions.jobScope(address).call(),
        "recipient": int(fresh, 16),
        "secret": scenario.a.secret,
        "used": [1, 1] + [0] * unused,
        "scopeHashes": [scope, scope] + [0] * unused,
        "pathElements": [path.path_elements] * 2 + [[0] * CLAIM_DEPTH] * unused,
        "pathIndices": [path.path_indices] * 2 + [[0] * CLAIM_DEPTH] * unused,
    }
    answer = run_zk_claim_helper("prove.mjs", {"input": witness})
    nullifiers, proof = [int(n) for n in answer["claimNullifiers"]], [int(w) for w in answer["proof"]]
    claim = ClaimProof(answer["count"], nullifiers, proof, 0)
    assert claim.count == 2 and claim.claim_nullifiers[0] == claim.claim_nullifiers[1]
    with reverts_with("NullifierSpent"):
        relay(rewards, job, fresh, claim, roles)


def test_a_wrong_or_foreign_label_cannot_be_proven(rewards, job, scenario):
    address, fresh = job.instance.address, Account.create().address
    with pytest.raises(ZkHelperFailed, match="not among the correct labels"):
        scenario.proof(rewards, address, scenario.a, [0, 3], fresh)  # item 3 was labelled wrong
    # B's label on item 4 is correct, but A does not know B's secret; a witness that forces the slot
    # on with B's path fails the circuit's constraints.
    path = merkle_path(scenario.correct, scenario.b.nullifiers[4])
    witness = {
        "root": rewards.functions.pool(address).call()[0],
        "jobScope": rewards.functions.jobScope(address).call(),
        "recipient": int(fresh, 16),
        "secret": scenario.a.secret,
        "used": [1] + [0] * (CLAIM_SLOTS - 1),
        "scopeHashes": [scenario.b.scopes[4]] + [0] * (CLAIM_SLOTS - 1),
        "pathElements": [path.path_elements] + [[0] * CLAIM_DEPTH] * (CLAIM_SLOTS - 1),
        "pathIndices": [path.path_indices] + [[0] * CLAIM_DEPTH] * (CLAIM_SLOTS - 1),
    }
    with pytest.raises(ZkHelperFailed, match="Assert Failed"):
        run_zk_claim_helper("prove.mjs", {"input": witness})


def test_nothing_is_claimed_before_the_root_and_the_pool(rewards, job, roles, fund_labels):
    address = job.instance.address
    fresh = Account.create().address
    with reverts_with("RootNotPosted"):
        relay(rewards, job, fresh, junk_claim(), roles)
    with reverts_with("RootNotPosted"):
        send(rewards.functions.pullPool(address, 1, REWARD, []), sender=roles.stranger)

    pool = anonymous_pool_payout(rewards=rewards, index=1, reward_per_label=REWARD, correct_count=2)
    tree = build_payout_tree([pool, Payout(2, roles.workers[0].address, TOKEN)])
    settle_root(job, roles.oracle, tree.root, tree.total, "report")
    send(rewards.functions.postCorrectRoot(address, 12345, REWARD, 2), sender=roles.oracle)
    with reverts_with("PoolNotPulled"):
        relay(rewards, job, fresh, junk_claim(), roles)
    with reverts_with("PoolMismatch"):
        send(rewards.functions.pullPool(address, 1, 3 * REWARD, tree.proofs[1]), sender=roles.stranger)
    with reverts_with(error_selector("NothingEarned(address)")):  # no anonymous labels yet (JobInstance's error)
        pull_pool(rewards=rewards, job=address, payout=pool, proof=tree.proofs[1], sender=roles.stranger)
    fund_labels(job, pool)
    pull_pool(rewards=rewards, job=address, payout=pool, proof=tree.proofs[1], sender=roles.stranger)
    with reverts_with("PoolAlreadyPulled"):
        pull_pool(rewards=rewards, job=address, payout=pool, proof=tree.proofs[1], sender=roles.stranger)
    for count in (0, CLAIM_SLOTS + 1):
        with reverts_with("InvalidCount"):
            relay(rewards, job, fresh, junk_claim(count), roles)
    with reverts_with("ZeroAddress"):
        relay(rewards, job, "0x" + "00" * 20, junk_claim(), roles)


def test_only_the_jobs_oracle_posts_the_root_once_after_settlement(rewards, job, roles):
    address = job.instance.address
    post = rewards.functions.postCorrectRoot
    with reverts_with("NotSettled"):
        send(post(address, 1, REWARD, 1), sender=roles.oracle)
    tree = build_payout_tree([Payout(1, rewards.address, REWARD)])
    settle_root(job, roles.oracle, tree.root, tree.total, "report")
    for sender in (roles.stranger, job.requester, roles.workers[0]):
        with reverts_with("NotOracle"):
            send(post(address, 1, REWARD, 1), sender=sender)
    with reverts_with("InvalidRoot"):
        send(post(address, 0, REWARD, 1), sender=roles.oracle)
    with reverts_with("EmptyPool"):
        send(post(address, 1, REWARD, 0), sender=roles.oracle)
    with reverts_with("PoolTooLarge"):
        send(post(address, 1, REWARD, 2**CLAIM_DEPTH + 1), sender=roles.oracle)
    with reverts_with("PoolTooLarge"):
        send(post(address, 1, 2**96, 1), sender=roles.oracle)
    sent = send(post(address, 1, REWARD, 1), sender=roles.oracle)
    assert events(rewards, "CorrectRootPosted", sent) == [
        {"job": address, "root": 1, "rewardPerLabel": REWARD, "correctCount": 1}
    ]
    with reverts_with("RootAlreadyPosted"):
        send(post(address, 2, REWARD, 1), sender=roles.oracle)


def test_claims_never_exceed_the_pool(deployed, rewards, job, roles, settle):
    """An oracle that counts fewer correct labels than its tree holds underfunds the pool: the last
    claims are refused instead of paying out of other jobs' pools."""
    made = scenario_for(job.instance.address)
    settle(job, made.correct, correct_count=4)
    address = job.instance.address
    a, b = Account.create().address, Account.create().address
    relay(rewards, job, a, made.proof(rewards, address, made.a, [0, 1, 2], a), roles)
    with reverts_with("PoolExhausted"):
        relay(rewards, job, b, made.proof(rewards, address, made.b, [0, 4], b), roles)
    relay(rewards, job, b, made.proof(rewards, address, made.b, [4], b), roles)
    assert balance(deployed, a) + balance(deployed, b) == 4 * REWARD
    assert balance(deployed, rewards.address) == 0
    assert rewards.functions.pool(address).call()[3:] == [True, 4 * REWARD]


def test_a_copied_claim_fails_on_its_nullifiers_before_the_proof(deployed, rewards, job, roles, scenario):
    """Regression: a paid claim sent again used to be verified first (InvalidProof / NullifierSpent
    only after ~300k gas of pairing checks); the spent nullifiers now stop it before the verifier."""
    address, fresh = job.instance.address, Account.create().address
    claim = scenario.proof(rewards, address, scenario.a, [0, 1], fresh)
    relay(rewards, job, fresh, claim, roles)
    garbled = ClaimProof(claim.count, claim.claim_nullifiers, [0] * 8, 0)  # spent nullifiers, no proof
    with reverts_with("NullifierSpent"):
        relay(rewards, job, fresh, garbled, roles)


def test_the_pool_is_swept_after_its_claim_deadline(w3, deployed, rewards, job, roles, scenario):
    address, fresh = job.instance.address, Account.create().address
    relay(rewards, job, fresh, scenario.proof(rewards, address, scenario.a, [0], fresh), roles)
    claim_deadline, swept = rewards.functions.poolDeadline(address).call()
    assert claim_deadline > w3.eth.get_block("latest")["timestamp"] and not swept
    with reverts_with("NotRequester"):
        send(rewards.functions.sweep(address), sender=roles.oracle)
    with reverts_with("SweepTooEarly"):
        send(rewards.functions.sweep(address), sender=job.requester)

    advance_time(w3, claim_deadline - w3.eth.get_block("latest")["timestamp"])
    with reverts_with("ClaimsClosed"):
        relay(rewards, job, fresh, scenario.proof(rewards, address, scenario.a, [1], fresh), roles)
    before = balance(deployed, job.requester.address)
    sent = send(rewards.functions.sweep(address), sender=job.requester)
    rest = REWARD * len(scenario.correct) - REWARD
    assert events(rewards, "PoolSwept", sent) == [{"job": address, "requester": job.requester.address, "amount": rest}]
    assert balance(deployed, job.requester.address) - before == rest
    with reverts_with("AlreadySwept"):
        send(rewards.functions.sweep(address), sender=job.requester)


def test_no_sweep_of_a_pool_never_pulled(rewards, job):
    with reverts_with("PoolNotPulled"):
        send(rewards.functions.sweep(job.instance.address), sender=job.requester)
