"""The arithmetic of settling a class job, with no database and no chain: truth, each worker's verified
accuracy, payouts, the report and the payout tree (the parts box jobs share are in payouts.py).
settle_job feeds it the job's confirmed labels; benchmarks/settlement.py feeds it a simulated crowd.

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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from apps.chain.merkle import Payout
from apps.quality.aggregation import DEFAULT_METHOD
from apps.quality.truth import Truth, infer_truth
from apps.rewards.payouts import (
    SPAM_MARGIN,
    PaidLeaves,
    WorkerResult,
    canonical_report,
    payout_tree,
    raw_rewards,
    report_workers,
    scale_to_budget,
    worker_results,
)

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


def _report(
    *,
    data: SettlementInput,
    method: str,
    truth: list[int],
    workers: list[WorkerResult],
    paid: PaidLeaves,
    anonymous: AnonymousPoolResult | None,
) -> bytes:
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
        "workers": report_workers(workers=workers, paid=paid, withheld=data.withheld),
        "root": "0x" + paid.root.hex(),
        "total": str(paid.total),
        "label_txs": sorted(set(data.label_txs)),
    }
    if anonymous is not None:
        report["anonymous"] = {
            "account": anonymous.account,
            "labels": anonymous.labels,
            "correct_nullifiers": anonymous.correct_nullifiers,
            "reward_per_label": str(anonymous.reward_per_label),
            "amount": str(anonymous.amount),
            "leaf_index": next((p.index for p in paid.payouts if p.account == anonymous.account), None),
        }
    return canonical_report(report)


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
    workers = worker_results(
        addresses=data.worker_addresses, given=given, correct=correct, amounts=amounts, withheld=data.withheld
    )
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
    paid = payout_tree(leaves)
    truth_list = truth.tolist()
    return SettlementOutcome(
        inferred=inferred,
        truth=truth_list,
        workers=workers,
        payouts=paid.payouts,
        root=paid.root,
        total=paid.total,
        proofs=paid.proofs,
        anonymous=anonymous,
        report=_report(
            data=data, method=inferred.method, truth=truth_list, workers=workers, paid=paid, anonymous=anonymous
        ),
    )


def pack_truth(truth: Sequence[int]) -> list[int]:
    """postTruth's words: 64 items per word, item 64w + j in bits 4j..4j+3."""
    padded = list(truth) + [0] * (-len(truth) % 64)
    return [
        int.from_bytes(bytes((padded[w + 2 * k + 1] << 4) | padded[w + 2 * k] for k in range(32))[::-1], "big")
        for w in range(0, len(padded), 64)
    ]
