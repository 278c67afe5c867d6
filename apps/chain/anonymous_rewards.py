"""PROVISIONAL (zk-web): the calls apps.anonymity makes on AnonymousRewards, written against the
interface zk-claim announced; their apps/chain/anonymous_rewards.py replaces this file at merge."""
from __future__ import annotations

from collections.abc import Sequence

from eth_account.signers.local import LocalAccount

from apps.chain.client import get_web3, send
from apps.chain.registry import contract
from apps.chain.registry import contract_address as registered_address


def contract_address() -> str:
    return registered_address("AnonymousRewards", w3=get_web3())


def correct_labels_root(nullifiers: Sequence[int]) -> int:
    raise NotImplementedError("zk-claim's Poseidon tree of correct labels")


def post_correct_root(*, job: str, root: int, reward_per_label: int, correct_count: int, sender: LocalAccount) -> str:
    rewards = contract("AnonymousRewards", w3=get_web3())
    return send(rewards.functions.postCorrectRoot(job, root, reward_per_label, correct_count), sender=sender).tx_hash


def pull_pool(*, job: str, index: int, amount: int, proof: Sequence[bytes], sender: LocalAccount) -> str:
    rewards = contract("AnonymousRewards", w3=get_web3())
    return send(rewards.functions.pullPool(job, index, amount, list(proof)), sender=sender).tx_hash
