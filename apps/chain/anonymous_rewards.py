"""Anonymous reward claims (AnonymousRewards, contracts/circuits/anon_claim.circom).

After settlement the oracle builds the correct-labels tree — the Semaphore nullifiers of the job's
anonymous labels that match the posted truth — and posts its root; the job's payout tree holds the
anonymous pool as one leaf for the AnonymousRewards contract. A labeler proves in its browser (or with
zk/claim/prove.mjs) that some leaves are its own and a relayer sends the claim. Poseidon and the tree
live in one place, zk/claim/claim.mjs, which this module runs through Node so Python, the browser and
the circuit can never disagree on a hash.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from eth_account.signers.local import LocalAccount
from web3.contract import Contract
from web3.contract.contract import ContractFunction

from apps.chain.client import Sent, send, simulate
from apps.chain.merkle import Payout

CLAIM_SLOTS = 8
CLAIM_DEPTH = 14


class ZkHelperFailed(RuntimeError):
    """The Node helper refused the request (e.g. a label that is not correct); the message says why."""


@dataclass(frozen=True)
class AnonymousLabel:
    """One AnonymousLabel event: the label and the Semaphore nullifier it was sent under."""

    item_id: int
    label: int
    nullifier: int


@dataclass(frozen=True)
class CorrectTree:
    root: int
    leaves: list[int]  # sorted ascending


@dataclass(frozen=True)
class MerklePath:
    path_elements: list[int]
    path_indices: list[int]


@dataclass(frozen=True)
class ClaimProof:
    """The arguments of AnonymousRewards.claim a proof fixes (job and recipient are bound inside it)."""

    count: int
    claim_nullifiers: list[int]  # CLAIM_SLOTS entries, 0 for unused slots
    proof: list[int]  # 8 words
    ms: int  # proving time in Node


def _zk_claim_script(name: str) -> Path:
    return Path(settings.BASE_DIR) / "zk" / "claim" / name


def _decimal_strings(value: object) -> object:
    """Integers as decimal strings: JSON numbers are doubles to JavaScript and lose field elements."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, Mapping):
        return {key: _decimal_strings(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_decimal_strings(item) for item in value]
    return value


def run_zk_claim_helper(script: str, request: Mapping) -> dict:
    """Run zk/claim/<script> with `request` as JSON on stdin; big integers travel as decimal strings."""
    completed = subprocess.run(
        ["node", str(_zk_claim_script(script))],
        input=json.dumps(_decimal_strings(request)),
        capture_output=True,
        text=True,
        timeout=300,
    )
    if completed.returncode != 0:
        raise ZkHelperFailed(completed.stderr.strip() or f"{script} failed with status {completed.returncode}")
    return json.loads(completed.stdout)


def correct_nullifiers(*, labels: Iterable[AnonymousLabel], truth: Mapping[int, int]) -> list[int]:
    """The leaves: nullifiers of the anonymous labels that agree with the posted truth. Items without
    truth contribute nothing. Anyone can recompute this from AnonymousLabel and TruthPosted events."""
    return sorted(label.nullifier for label in labels if truth.get(label.item_id) == label.label)


def build_correct_tree(nullifiers: Sequence[int]) -> CorrectTree:
    answer = run_zk_claim_helper("tree.mjs", {"nullifiers": [str(n) for n in nullifiers]})
    return CorrectTree(root=int(answer["root"]), leaves=[int(leaf) for leaf in answer["leaves"]])


def merkle_path(nullifiers: Sequence[int], leaf: int) -> MerklePath | None:
    """The leaf's sibling path in the correct-labels tree, or None when it is not a leaf."""
    answer = run_zk_claim_helper("tree.mjs", {"nullifiers": [str(n) for n in nullifiers], "pathsFor": [str(leaf)]})
    path = answer["paths"][str(leaf)]
    if path is None:
        return None
    return MerklePath([int(e) for e in path["pathElements"]], [int(i) for i in path["pathIndices"]])


def prove_claim(
    *,
    secret: int,
    scope_hashes: Sequence[int],
    correct: Sequence[int],
    root: int,
    job_scope: int,
    recipient: str,
) -> ClaimProof:
    """A claim proof for up to CLAIM_SLOTS of an identity's correct labels (what the browser does with
    static/src/zk_claim.js; here for tests, benchmarks and command-line labelers)."""
    answer = run_zk_claim_helper(
        "prove.mjs",
        {
            "secret": secret,
            "scopeHashes": list(scope_hashes),
            "correctNullifiers": list(correct),
            "root": root,
            "jobScope": job_scope,
            "recipient": int(recipient, 16),
        },
    )
    return ClaimProof(
        count=answer["count"],
        claim_nullifiers=[int(n) for n in answer["claimNullifiers"]],
        proof=[int(w) for w in answer["proof"]],
        ms=answer["ms"],
    )


def anonymous_pool_payout(*, rewards: Contract, index: int, reward_per_label: int, correct_count: int) -> Payout:
    """The job's payout leaf that funds its anonymous pool: settlement adds it to the payout tree."""
    return Payout(index=index, account=rewards.address, amount=reward_per_label * correct_count)


def post_correct_root(
    *, rewards: Contract, job: str, nullifiers: Sequence[int], reward_per_label: int, oracle: LocalAccount
) -> Sent:
    """Publish the correct-labels root of a settled job (the job's oracle signs)."""
    tree = build_correct_tree(nullifiers)
    return send(rewards.functions.postCorrectRoot(job, tree.root, reward_per_label, len(tree.leaves)), sender=oracle)


def pull_pool(*, rewards: Contract, job: str, payout: Payout, proof: Sequence[bytes], sender: LocalAccount) -> Sent:
    """Move the job's anonymous pool (its payout leaf) into AnonymousRewards; anyone may send it."""
    return send(rewards.functions.pullPool(job, payout.index, payout.amount, list(proof)), sender=sender)


def claim_function(*, rewards: Contract, job: str, recipient: str, claim: ClaimProof) -> ContractFunction:
    return rewards.functions.claim(job, claim.count, recipient, claim.claim_nullifiers, claim.proof)


def check_claim(*, rewards: Contract, job: str, recipient: str, claim: ClaimProof, relayer: str) -> None:
    """Run the claim as an eth_call: raises TransactionFailed naming the contract's error (InvalidProof,
    NullifierSpent, RootNotPosted, PoolNotPulled, PoolExhausted, ...) so a relayer never pays gas for it."""
    simulate(claim_function(rewards=rewards, job=job, recipient=recipient, claim=claim), sender=relayer)


def relay_claim(*, rewards: Contract, job: str, recipient: str, claim: ClaimProof, relayer: LocalAccount) -> Sent:
    """Send the claim from the relayer's key (the recipient needs no ETH). `send` estimates gas first,
    so a claim the contract would refuse raises TransactionFailed with its reason and costs nothing."""
    return send(claim_function(rewards=rewards, job=job, recipient=recipient, claim=claim), sender=relayer)
