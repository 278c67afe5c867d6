"""The payout Merkle tree JobInstance.claim verifies: OpenZeppelin's double-hashed leaf
keccak256(keccak256(abi.encode(index, account, amount))) and sorted-pair (commutative) hashing,
so MerkleProof.verify accepts the proofs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from eth_abi import encode
from web3 import Web3


@dataclass(frozen=True)
class Payout:
    index: int
    account: str
    amount: int


@dataclass(frozen=True)
class PayoutTree:
    root: bytes
    total: int
    proofs: dict[int, list[bytes]]  # payout index -> proof


def payout_leaf(payout: Payout) -> bytes:
    encoded = encode(["uint256", "address", "uint256"], [payout.index, payout.account, payout.amount])
    return Web3.keccak(Web3.keccak(encoded))


def hash_pair(a: bytes, b: bytes) -> bytes:
    return Web3.keccak(min(a, b) + max(a, b))


def build_payout_tree(payouts: Sequence[Payout]) -> PayoutTree:
    """Leaves sorted by hash (the root doesn't depend on input order); an odd node out is carried
    up a level unchanged."""
    if not payouts:
        raise ValueError("a payout tree needs at least one payout")
    if len({p.index for p in payouts}) != len(payouts):
        raise ValueError("payout indexes must be unique")
    leaves = sorted((payout_leaf(p), p.index) for p in payouts)
    layer = [leaf for leaf, _ in leaves]
    positions = {index: position for position, (_, index) in enumerate(leaves)}
    proofs: dict[int, list[bytes]] = {index: [] for index in positions}
    while len(layer) > 1:
        for index, position in positions.items():
            sibling = position ^ 1
            if sibling < len(layer):
                proofs[index].append(layer[sibling])
            positions[index] = position // 2
        layer = [hash_pair(*layer[i : i + 2]) if i + 1 < len(layer) else layer[i] for i in range(0, len(layer), 2)]
    return PayoutTree(root=layer[0], total=sum(p.amount for p in payouts), proofs=proofs)
