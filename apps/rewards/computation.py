"""The arithmetic of settlement, with no database and no chain: truth, each worker's verified
accuracy, payouts, the report and the payout tree. settle_job feeds it the job's confirmed labels;
benchmarks/settlement.py feeds it a simulated crowd.

Reward formula (docs/settlement.md): worker w with n_w labels scored against truth, c_w of them
right, accuracy a_w = c_w / n_w, in a job with K classes, price p and budget B:

    raw_w    = p * c_w  (= p * n_w * a_w)   if a_w > 1/K + SPAM_MARGIN, else 0
    amount_w = raw_w                        if sum(raw) <= B
             = floor(raw_w * B / sum(raw))  otherwise

so pay is proportional to labels times verified accuracy, a worker no better than chance earns
nothing, and the total never exceeds the escrow.

Anonymous labels (anonymous jobs) cannot be linked to each other, so there is no per-labeler
accuracy to test: each correct one earns the price (scaled like the rest), and the sum is one payout
leaf, the anonymous pool, paid to the AnonymousRewards contract, from which each labeler claims
reward_per_label times the correct labels it proves in zero knowledge (docs/anonymity.md).
"""
from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from apps.chain.merkle import Payout, PayoutTree, build_payout_tree
from apps.quality.aggregation import DEFAULT_METHOD
from apps.quality.truth import Truth, infer_truth

# Accuracy above chance a worker must show to be paid: uniform spammers sit at 1/K, and with a few
# dozen labels their measured accuracy scatters a few points around it.
SPAM_MARGIN = 0.1
EMPTY_ROOT = b"\x00" * 32
FORMULA = (
    "amount = price * correct_labels if accuracy > 1/num_classes + spam_margin else 0;"
    " scaled down pro rata (floor) when the sum exceeds the budget;"
    " 0 for a worker whose pay a review withheld (the workers' withheld=true)"
)


@dataclass(frozen=True, kw_only=True)
class SettlementInput:
    """Label records as index arrays over items 0..n_items-1 (the on-chain item ids) and workers."""

    job: Mapping  # identifies the job in the report: id, chain_id, instance
    n_items: int
    n_classes: int
    items: np.ndarray
    workers: np.ndarray
    labels: np.ndarray
    worker_addresses: Sequence[str]
    gold: Mapping[int, int]
    price: int
    budget: int
    label_txs: Sequence[str]
    method: str = DEFAULT_METHOD  # the job's aggregation method
    worker_weights: np.ndarray | None = None  # per worker: voting weight (weighted majority)
    # Addresses whose pay a review withheld (apps/integrity): their labels still count towards truth,
    # they get no leaf, and their share stays in the escrow for the requester's refund.
    withheld: frozenset[str] = frozenset()
    # Worker positions from len(worker_addresses) on are anonymous labels, one each, by nullifier.
    anonymous_nullifiers: Sequence[str] = ()
    anonymous_pool_account: str = ""  # the AnonymousRewards contract; needed when there are any

    @property
    def n_workers(self) -> int:
        return len(self.worker_addresses) + len(self.anonymous_nullifiers)


@dataclass(frozen=True)
class WorkerResult:
    address: str
    labels: int
    correct: int
    accuracy: float
    amount: int


@dataclass(frozen=True)
class AnonymousPoolResult:
    account: str
    labels: int
    correct_nullifiers: list[str]  # leaves of the correct-labels tree, ascending
    reward_per_label: int
    amount: int  # reward_per_label * len(correct_nullifiers)


@dataclass(frozen=True)
class SettlementOutcome:
    inferred: Truth
    truth: list[int]  # per item
    workers: list[WorkerResult]
    payouts: list[Payout]
    root: bytes
    total: int
    proofs: dict[int, list[bytes]]
    report: bytes  # canonical JSON, stored by content id
    anonymous: AnonymousPoolResult | None = None

    @property
    def method(self) -> str:
        return self.inferred.method


def worker_scores(*, data: SettlementInput, truth: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Labels and correct labels per worker: gold items are scored against gold (truth holds the
    gold answer there), the others against the aggregated truth."""
    given = np.bincount(data.workers, minlength=data.n_workers)
    correct = np.bincount(data.workers, weights=data.labels == truth[data.items], minlength=data.n_workers)
    return given, correct.astype(np.int64)


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


def _report(
    *,
    data: SettlementInput,
    method: str,
    truth: list[int],
    workers: list[WorkerResult],
    payouts: list[Payout],
    root: bytes,
    total: int,
    anonymous: AnonymousPoolResult | None,
) -> bytes:
    index_of = {p.account: p.index for p in payouts}
    withheld = {a.lower() for a in data.withheld}
    report = {
        "job": dict(data.job),
        "method": method,
        "worker_weights": None if data.worker_weights is None else [int(w) for w in data.worker_weights],
        "num_classes": data.n_classes,
        "price_per_label": str(data.price),
        "budget": str(data.budget),
        "spam_margin": SPAM_MARGIN,
        "formula": FORMULA,
        "truth": "".join(f"{label:x}" for label in truth),  # one hex digit per item, item 0 first
        "gold_items": sorted(data.gold),
        "workers": [
            {
                "address": w.address,
                "labels": w.labels,
                "correct": w.correct,
                "accuracy": round(w.accuracy, 6),
                "amount": str(w.amount),
                "leaf_index": index_of.get(w.address),
                "withheld": w.address.lower() in withheld,
            }
            for w in workers
        ],
        "root": "0x" + root.hex(),
        "total": str(total),
        "label_txs": sorted(set(data.label_txs)),
    }
    if anonymous is not None:
        report["anonymous"] = {
            "account": anonymous.account,
            "labels": anonymous.labels,
            "correct_nullifiers": anonymous.correct_nullifiers,
            "reward_per_label": str(anonymous.reward_per_label),
            "amount": str(anonymous.amount),
            "leaf_index": index_of.get(anonymous.account),
        }
    return json.dumps(report, sort_keys=True, separators=(",", ":")).encode()


def payout_tree(leaves: Sequence[tuple[str, int]]) -> tuple[list[Payout], PayoutTree | None]:
    """The payout leaves — (account, amount) with an amount, by address, indexes from 0 — and their
    tree (None: nobody paid)."""
    paid = sorted(((account, amount) for account, amount in leaves if amount > 0), key=lambda leaf: leaf[0].lower())
    payouts = [Payout(index=i, account=account, amount=amount) for i, (account, amount) in enumerate(paid)]
    return payouts, (build_payout_tree(payouts) if payouts else None)


def compute_settlement(data: SettlementInput) -> SettlementOutcome:
    inferred = infer_truth(
        items=data.items,
        workers=data.workers,
        labels=data.labels,
        n_items=data.n_items,
        n_workers=data.n_workers,
        n_classes=data.n_classes,
        gold=data.gold,
        method=data.method,
        worker_weights=data.worker_weights,
    )
    truth = inferred.result.labels
    given, correct = worker_scores(data=data, truth=truth)
    known = len(data.worker_addresses)
    anonymous_right = correct[known:].tolist()
    raw = raw_rewards(given=given[:known], correct=correct[:known], n_classes=data.n_classes, price=data.price)
    owed = sum(raw) + data.price * sum(anonymous_right)
    amounts = [scale_to_budget(amount, total=owed, budget=data.budget) for amount in raw]
    # Scaled per label, so the pool is exactly reward_per_label * correct labels (the claims' unit).
    reward_per_label = scale_to_budget(data.price, total=owed, budget=data.budget)
    withheld = {a.lower() for a in data.withheld}
    amounts = [0 if a.lower() in withheld else amount for a, amount in zip(data.worker_addresses, amounts)]
    workers = [
        WorkerResult(address=address, labels=int(n), correct=int(c), accuracy=(c / n if n else 0.0), amount=amount)
        for address, n, c, amount in zip(data.worker_addresses, given.tolist(), correct.tolist(), amounts)
    ]
    anonymous = None
    if data.anonymous_nullifiers:
        right = sorted((n for n, ok in zip(data.anonymous_nullifiers, anonymous_right) if ok), key=int)
        anonymous = AnonymousPoolResult(
            account=data.anonymous_pool_account,
            labels=len(data.anonymous_nullifiers),
            correct_nullifiers=right,
            reward_per_label=reward_per_label,
            amount=reward_per_label * len(right),
        )
    leaves = [(w.address, w.amount) for w in workers] + ([(anonymous.account, anonymous.amount)] if anonymous else [])
    payouts, tree = payout_tree(leaves)
    root = tree.root if tree else EMPTY_ROOT
    total = sum(p.amount for p in payouts)
    truth_list = truth.tolist()
    return SettlementOutcome(
        inferred=inferred,
        truth=truth_list,
        workers=workers,
        payouts=payouts,
        root=root,
        total=total,
        proofs=tree.proofs if tree else {},
        anonymous=anonymous,
        report=_report(
            data=data,
            method=inferred.method,
            truth=truth_list,
            workers=workers,
            payouts=payouts,
            root=root,
            total=total,
            anonymous=anonymous,
        ),
    )


def pack_truth(truth: Sequence[int]) -> list[int]:
    """postTruth's words: 64 items per word, item 64w + j in bits 4j..4j+3."""
    padded = list(truth) + [0] * (-len(truth) % 64)
    return [
        int.from_bytes(bytes((padded[w + 2 * k + 1] << 4) | padded[w + 2 * k] for k in range(32))[::-1], "big")
        for w in range(0, len(padded), 64)
    ]
