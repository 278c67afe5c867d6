"""Payout arithmetic shared by every task kind's settlement, with no database, no chain and no Django:
pay proportional to correct labels above an accuracy floor, capped by the budget, withheld pay
zeroed, the payout leaves and their Merkle tree, and the report's per-worker rows. Class jobs
(apps.rewards.computation) and box jobs (apps.boxes.settlement) build their outcome from these.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from apps.chain.merkle import Payout, build_payout_tree

# Accuracy above chance a worker must show to be paid: uniform spammers sit at 1/K, and with a few
# dozen labels their measured accuracy scatters a few points around it.
SPAM_MARGIN = 0.1
EMPTY_ROOT = b"\x00" * 32


@dataclass(frozen=True)
class WorkerResult:
    address: str
    labels: int
    correct: int
    accuracy: float
    amount: int


@dataclass(frozen=True)
class PaidLeaves:
    """The payout leaves, their root (EMPTY_ROOT: nobody paid), total and each leaf's proof."""

    payouts: list[Payout]
    root: bytes
    total: int
    proofs: dict[int, list[bytes]]


def raw_rewards(
    *, given: np.ndarray, correct: np.ndarray, n_classes: int, price: int, floor: float | None = None
) -> list[int]:
    """`floor`: the accuracy a worker must exceed to be paid; by default chance (1/n_classes) plus
    SPAM_MARGIN. Tasks without a chance level (boxes) pass their own."""
    accuracy = np.divide(correct, given, out=np.zeros(len(given)), where=given > 0)
    floor = 1.0 / n_classes + SPAM_MARGIN if floor is None else floor
    return [price * int(c) if a > floor else 0 for c, a in zip(correct.tolist(), accuracy.tolist())]


def scale_to_budget(amount: int, *, total: int, budget: int) -> int:
    return amount if total <= budget else amount * budget // total


def reward_amounts(
    *, given: np.ndarray, correct: np.ndarray, n_classes: int, price: int, budget: int, floor: float | None = None
) -> list[int]:
    """Each worker's amount, all scaled down together (floor) when they exceed the budget."""
    raw = raw_rewards(given=given, correct=correct, n_classes=n_classes, price=price, floor=floor)
    total = sum(raw)
    return [scale_to_budget(amount, total=total, budget=budget) for amount in raw]


def worker_results(
    *,
    addresses: Sequence[str],
    given: np.ndarray,
    correct: np.ndarray,
    amounts: Sequence[int],
    withheld: Collection[str],
) -> list[WorkerResult]:
    """One result per worker; a worker whose pay a review withheld gets 0 (its share stays in the
    escrow for the requester's refund)."""
    withheld_lower = {a.lower() for a in withheld}
    return [
        WorkerResult(
            address=address,
            labels=int(n),
            correct=int(c),
            accuracy=(c / n if n else 0.0),
            amount=0 if address.lower() in withheld_lower else amount,
        )
        for address, n, c, amount in zip(addresses, given.tolist(), correct.tolist(), amounts)
    ]


def payout_tree(leaves: Sequence[tuple[str, int]]) -> PaidLeaves:
    """The payout leaves — (account, amount) with an amount, by address, indexes from 0 — and their tree."""
    paid = sorted(((account, amount) for account, amount in leaves if amount > 0), key=lambda leaf: leaf[0].lower())
    payouts = [Payout(index=i, account=account, amount=amount) for i, (account, amount) in enumerate(paid)]
    if not payouts:
        return PaidLeaves(payouts=[], root=EMPTY_ROOT, total=0, proofs={})
    tree = build_payout_tree(payouts)
    return PaidLeaves(payouts=payouts, root=tree.root, total=sum(p.amount for p in payouts), proofs=tree.proofs)


def report_workers(
    *,
    workers: Sequence[WorkerResult],
    paid: PaidLeaves,
    withheld: Collection[str],
    extra: Mapping[str, Mapping[str, object]] | None = None,
) -> list[dict]:
    """The report's row per worker; `extra`: address -> further fields of that worker's row."""
    index_of = {p.account: p.index for p in paid.payouts}
    withheld_lower = {a.lower() for a in withheld}
    return [
        {
            "address": w.address,
            "labels": w.labels,
            "correct": w.correct,
            "accuracy": round(w.accuracy, 6),
            "amount": str(w.amount),
            "leaf_index": index_of.get(w.address),
            "withheld": w.address.lower() in withheld_lower,
            **(extra or {}).get(w.address, {}),
        }
        for w in workers
    ]


def canonical_report(report: Mapping) -> bytes:
    """The report as stored by content id: keys sorted, no whitespace, so equal reports hash equal."""
    return json.dumps(report, sort_keys=True, separators=(",", ":")).encode()
