"""The arithmetic of settling a bounding-box job, with no database and no chain (as
apps.rewards.computation is for classes; the payout tree and reward formula are apps.rewards.payouts).

Per image the reference is its gold boxes (gold images) or the crowd's consensus (consolidate, with
the voting weights when given). Each verified answer scores score_boxes_against_gold against the
reference (mean IoU, unmatched boxes 0); it counts as correct at MATCH_IOU (0.5) or more. A worker's
accuracy is correct / answered, and pay follows the class formula with chance taken as 0:

    amount_w = price * correct_w   if accuracy_w > SPAM_MARGIN, else 0   (scaled pro rata over budget)

The truth posted on chain per image is min(reference box count, 15), the same nibble a box vote
carries; the report, stored by content id, holds every image's full consensus boxes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from apps.boxes.geometry import MATCH_IOU, Box, ConsensusBox, consolidate, count_label, score_boxes_against_gold
from apps.chain.merkle import Payout
from apps.rewards.payouts import (
    SPAM_MARGIN,
    PaidLeaves,
    WorkerResult,
    canonical_report,
    payout_tree,
    report_workers,
    reward_amounts,
    worker_results,
)

METHOD = "box-consensus-iou"
FORMULA = (
    "per image: score = mean IoU against the gold boxes (gold images) or the consensus boxes, unmatched"
    " boxes 0; correct if score >= 0.5; amount = price * correct if correct/answered > spam_margin else 0;"
    " scaled down pro rata (floor) when the sum exceeds the budget;"
    " 0 for a worker whose pay a review withheld (the workers' withheld=true)"
)


@dataclass(frozen=True, kw_only=True)
class BoxSettlementInput:
    job: Mapping
    n_items: int  # items are the on-chain ids 0..n_items-1
    answers: Mapping[int, Mapping[str, Sequence[Box]]]  # item id -> worker address -> verified boxes
    gold: Mapping[int, Sequence[Box]]  # item id -> gold boxes
    price: int
    budget: int
    label_txs: Sequence[str]
    weights: Mapping[str, float] | None = None  # worker address -> voting weight (default 1)
    # Addresses whose pay a review withheld (apps/integrity): their answers still count towards the
    # consensus, they get no leaf, and their share stays in the escrow for the requester's refund.
    withheld: frozenset[str] = frozenset()


@dataclass(frozen=True)
class BoxSettlementOutcome:
    method: str
    truth: list[int]  # per item: min(reference box count, 15)
    consensus: dict[int, list[ConsensusBox]]  # item id -> consensus boxes (images with answers)
    workers: list[WorkerResult]
    mean_iou: dict[str, float]
    payouts: list[Payout]
    root: bytes
    total: int
    proofs: dict[int, list[bytes]]
    report: bytes
    anonymous: None = None  # box jobs have no anonymous pool (the class outcome's field)


@dataclass(frozen=True)
class ScoredAnswers:
    consensus: dict[int, list[ConsensusBox]]  # item id -> consensus boxes (images with answers)
    reference: dict[int, list[Box]]  # item id -> gold boxes, else the consensus boxes
    scores: dict[int, dict[str, float]]  # item id -> worker address -> score against the reference


def score_answers(data: BoxSettlementInput) -> ScoredAnswers:
    """Every verified answer scored against its image's reference; what settlement pays on and
    integrity screening judges by."""
    consensus = {item: consolidate(answers, weights=data.weights) for item, answers in data.answers.items()}
    reference = {item: [c.box for c in boxes] for item, boxes in consensus.items()}
    reference.update({item: list(boxes) for item, boxes in data.gold.items()})
    scores = {
        item: {address: score_boxes_against_gold(list(boxes), reference[item]) for address, boxes in answers.items()}
        for item, answers in sorted(data.answers.items())
    }
    return ScoredAnswers(consensus=consensus, reference=reference, scores=scores)


def compute_box_settlement(data: BoxSettlementInput) -> BoxSettlementOutcome:
    scored = score_answers(data)
    consensus, reference = scored.consensus, scored.reference
    addresses = sorted({address for answers in data.answers.values() for address in answers}, key=str.lower)
    scores: dict[str, list[float]] = {address: [] for address in addresses}
    for by_worker in scored.scores.values():
        for address, score in by_worker.items():
            scores[address].append(score)
    given = np.array([len(scores[a]) for a in addresses], dtype=np.int64)
    correct = np.array([sum(s >= MATCH_IOU for s in scores[a]) for a in addresses], dtype=np.int64)
    amounts = reward_amounts(
        given=given, correct=correct, n_classes=1, price=data.price, budget=data.budget, floor=SPAM_MARGIN
    )
    workers = worker_results(addresses=addresses, given=given, correct=correct, amounts=amounts, withheld=data.withheld)
    mean_iou = {a: float(np.mean(scores[a])) if scores[a] else 0.0 for a in addresses}
    paid = payout_tree([(w.address, w.amount) for w in workers])
    truth = [count_label(reference.get(item, [])) for item in range(data.n_items)]
    report = _report(data=data, truth=truth, consensus=consensus, workers=workers, mean_iou=mean_iou, paid=paid)
    return BoxSettlementOutcome(
        method=METHOD,
        truth=truth,
        consensus=consensus,
        workers=workers,
        mean_iou=mean_iou,
        payouts=paid.payouts,
        root=paid.root,
        total=paid.total,
        proofs=paid.proofs,
        report=report,
    )


def _report(
    *,
    data: BoxSettlementInput,
    truth: list[int],
    consensus: dict[int, list[ConsensusBox]],
    workers: list[WorkerResult],
    mean_iou: dict[str, float],
    paid: PaidLeaves,
) -> bytes:
    report = {
        "job": dict(data.job),
        "method": METHOD,
        "task_type": "bounding_box",
        "price_per_label": str(data.price),
        "budget": str(data.budget),
        "spam_margin": SPAM_MARGIN,
        "match_iou": MATCH_IOU,
        "formula": FORMULA,
        "truth": "".join(f"{count:x}" for count in truth),  # min(box count, 15) per item, item 0 first
        "consensus": {str(item): [c.as_dict() for c in boxes] for item, boxes in sorted(consensus.items())},
        "gold_items": sorted(data.gold),
        "weights": {a: data.weights[a] for a in sorted(data.weights)} if data.weights else None,
        "workers": report_workers(
            workers=workers,
            paid=paid,
            withheld=data.withheld,
            extra={a: {"mean_iou": round(iou, 6)} for a, iou in mean_iou.items()},
        ),
        "root": "0x" + paid.root.hex(),
        "total": str(paid.total),
        "label_txs": sorted(set(data.label_txs)),
    }
    return canonical_report(report)
