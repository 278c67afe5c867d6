"""The integrity signals of a bounding-box job (its task kind's screening), built from the pieces of
apps.integrity.signals: box answers are scored against their image's reference (gold boxes, else
the crowd's consensus); chance is 0, and pattern similarity counts identical wrong box sets
(docs/integrity.md)."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations

import numpy as np
from scipy.stats import binom

from apps.boxes.geometry import Box, score_boxes_against_gold
from apps.boxes.selectors import scored_box_answers
from apps.integrity.services import funders_by_position
from apps.integrity.signals import (
    ALPHA,
    MIN_GOLD,
    MIN_PEER,
    MIN_SAME_WRONG,
    MIN_SHARED,
    Assessment,
    Signal,
    accuracy_signal,
    common_funder_signals,
    strongest_pairs,
    sybil_clusters,
    timing_signals,
)
from apps.jobs.kinds import Screening
from apps.jobs.models import Job


@dataclass(frozen=True, kw_only=True)
class BoxEvidence:
    """A box job's verified answers as records over worker positions: whether each one matched its
    image's reference (gold boxes, else the crowd's consensus) and whether the image is gold."""

    items: np.ndarray
    workers: np.ndarray
    boxes: Sequence[Sequence[Box]]  # per record: the answer's boxes
    right: np.ndarray  # bool: score against the reference >= MATCH_IOU
    on_gold: np.ndarray  # bool
    answer_ms: np.ndarray  # float, nan where the page measured nothing
    addresses: Sequence[str]
    funders: Mapping[int, Mapping[str, str]] = field(default_factory=dict)
    pass_bar: float = 0.7


# Two box sets this close (mean IoU, unmatched boxes 0) are the same answer: people tracing the same
# object by hand differ by a few pixels (IoU ~0.8-0.9), a copy does not differ at all.
COPY_SCORE = 0.95
# The least chance that two independent wrong box answers coincide: drawn by hand, only the empty
# answer ("nothing here") repeats exactly; this floor covers simple one-box images.
MIN_BOX_COINCIDENCE = 0.01


def box_coincidence_rate(ev: BoxEvidence) -> float:
    """How often two independent wrong box answers to the same image coincide: hand-drawn boxes
    practically never do, the empty answer always does, so q = e^2 with e the share of wrong
    answers that are empty (the class version's sum of squared shares, with one repeatable
    answer), never below MIN_BOX_COINCIDENCE."""
    wrong = ~ev.right
    if not wrong.any():
        return MIN_BOX_COINCIDENCE
    empty = np.array([not ev.boxes[int(r)] for r in np.flatnonzero(wrong)])
    return min(max(float(empty.mean()) ** 2, MIN_BOX_COINCIDENCE), 0.95)


def _box_pairs(ev: BoxEvidence) -> tuple[dict[int, Signal], list[tuple[int, int]]]:
    """Pattern similarity for boxes: per pair of workers sharing MIN_SHARED+ images, how often they
    gave the same wrong answer (COPY_SCORE) on the images both got wrong, against
    box_coincidence_rate; Bonferroni over the pairs tested, as for classes."""
    n_workers = len(ev.addresses)
    by_item: dict[int, list[int]] = defaultdict(list)
    for record, item in enumerate(ev.items.tolist()):
        by_item[item].append(record)
    shared = np.zeros((n_workers, n_workers), dtype=np.int64)
    both_wrong = np.zeros_like(shared)
    same_wrong = np.zeros_like(shared)
    for records in by_item.values():
        for a, b in combinations(records, 2):
            i, j = sorted((int(ev.workers[a]), int(ev.workers[b])))
            shared[i, j] += 1
            if not ev.right[a] and not ev.right[b]:
                both_wrong[i, j] += 1
                same_wrong[i, j] += score_boxes_against_gold(ev.boxes[a], ev.boxes[b]) >= COPY_SCORE
    tested = shared >= MIN_SHARED
    q = box_coincidence_rate(ev)
    threshold = -math.log10(ALPHA / max(int(tested.sum()), 1))
    tests = []
    for i, j in zip(*np.nonzero(tested)):
        i, j = int(i), int(j)
        nw, sw = int(both_wrong[i, j]), int(same_wrong[i, j])
        p_wrong = float(binom.sf(sw - 1, nw, q)) if nw and sw >= MIN_SAME_WRONG else 1.0
        detail = f"gave the same wrong boxes as {{peer}} on {sw} of the {nw} images both got wrong"
        detail += f" (chance ~{nw * q:.1f})"
        tests.append((i, j, p_wrong, detail))
    return strongest_pairs(ev.addresses, tests, threshold, what="images")


def assess_boxes(ev: BoxEvidence) -> Assessment:
    """The signals for a box job: timing, accuracy on gold images, agreement with the consensus on
    the others, copied wrong answers (pattern similarity) and common funders. A box set drawn at
    random matches nothing, so chance is 0 and the accuracy floor is half the pass bar."""
    n_workers = len(ev.addresses)
    floor = ev.pass_bar / 2

    def per_worker(where: np.ndarray, *, right_only: bool) -> np.ndarray:
        weights = ev.right[where].astype(float) if right_only else None
        return np.bincount(ev.workers[where], weights=weights, minlength=n_workers)

    gold_hits, gold_n = per_worker(ev.on_gold, right_only=True), per_worker(ev.on_gold, right_only=False)
    peer_hits, peer_n = per_worker(~ev.on_gold, right_only=True), per_worker(~ev.on_gold, right_only=False)
    pair_signals, pairs = _box_pairs(ev)
    funding, funding_edges = common_funder_signals(ev.addresses, ev.funders)
    signals = [
        timing_signals(ev.answer_ms[ev.workers == w])
        + [
            accuracy_signal("gold_accuracy", "gold images", int(gold_hits[w]), int(gold_n[w]), MIN_GOLD, floor),
            accuracy_signal(
                "peer_agreement", "images matching the consensus", int(peer_hits[w]), int(peer_n[w]), MIN_PEER, floor
            ),
            pair_signals[w],
            funding[w],
        ]
        for w in range(n_workers)
    ]
    return Assessment(signals=signals, clusters=sybil_clusters(n_workers, pairs + funding_edges))


def screen_box_answers(*, job: Job) -> Screening:
    """The signals of a box job's workers from its verified answers, scored as settlement scores them."""
    answers = scored_box_answers(job=job)
    worker_of = dict(sorted({(a.worker_id, a.address) for a in answers}))
    worker_ids, addresses = list(worker_of), list(worker_of.values())
    position = {worker_id: w for w, worker_id in enumerate(worker_ids)}
    assessment = assess_boxes(
        BoxEvidence(
            items=np.array([a.item for a in answers], dtype=np.int64),
            workers=np.array([position[a.worker_id] for a in answers], dtype=np.int64),
            boxes=[a.boxes for a in answers],
            right=np.array([a.right for a in answers], dtype=bool),
            on_gold=np.array([a.on_gold for a in answers], dtype=bool),
            answer_ms=np.array([np.nan if a.answer_ms is None else float(a.answer_ms) for a in answers]),
            addresses=addresses,
            funders=funders_by_position(addresses),
            pass_bar=job.qualification_bar,
        )
    )
    return Screening(worker_ids=worker_ids, addresses=addresses, assessment=assessment)
