"""Fraud and sybil signals as arithmetic over a job's labels, with no database and no chain: the
integrity service feeds it a job's confirmed labels and its workers' first funders read from chain;
benchmarks/qualification.py feeds it simulated crowds.

Every signal has a score, a threshold, whether it fired and a reason a requester can read:

- too_fast / too_regular: the median answer time, and its coefficient of variation. People vary
  (lognormal times, CV ~0.5-1); a script answers fast or on a fixed clock.
- gold_accuracy / peer_agreement: accuracy on the gold items inside normal work, and agreement with
  the plurality of the other workers on the same item. Fires when a one-sided 95% upper bound
  (Wilson) is below halfway between chance and the job's pass bar, so a worker near the bar is
  never flagged on a handful of answers.
- pattern_similarity: for each pair of workers with enough shared items, two binomial tests.
  (1) On the items both answered wrongly, how often they chose the same wrong class, against the
  rate the crowd's own confusions predict (coincidence_rate, never below 1/(K-1)): independent workers rarely make
  the same mistake, copies always do. (2) On all shared items, agreement against what their
  accuracies predict. Fires when a p-value is below ALPHA divided by the number of pairs tested
  (Bonferroni: a job with 200 workers tests ~20,000 pairs). Score = -log10(p).
- common_funder: several workers of the job whose first ETH or first tokens came from one wallet.

Sybil clusters are the connected groups over (common funder ∪ fired pattern_similarity).

Other task kinds build their own evidence from these pieces (timing_signals, accuracy_signal,
strongest_pairs, common_funder_signals, sybil_clusters): bounding boxes in apps.boxes.screening.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
from scipy.stats import binom

MIN_TIMED = 10  # answer times needed before timing signals speak
FAST_MEDIAN_MS = 600
REGULAR_CV = 0.15
MIN_GOLD = 5
MIN_PEER = 10
WILSON_Z = 1.645  # one-sided 95%
MIN_SHARED = 20  # fewer shared items carry too little evidence, and each tested pair costs power (Bonferroni)
MIN_SAME_WRONG = 3
ALPHA = 0.01


@dataclass(frozen=True)
class Signal:
    name: str
    score: float
    threshold: float
    fired: bool
    reason: str
    related: tuple[str, ...] = ()  # the other workers' addresses the signal ties this one to

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "score": None if math.isnan(self.score) else round(self.score, 4),  # nan: too little data
            "threshold": round(self.threshold, 4),
            "fired": self.fired,
            "reason": self.reason,
            "related": list(self.related),
        }


@dataclass(frozen=True, kw_only=True)
class Evidence:
    """Label records as index arrays over item positions and worker positions."""

    n_items: int
    n_classes: int
    items: np.ndarray
    workers: np.ndarray
    labels: np.ndarray
    answer_ms: np.ndarray  # float, nan where the page measured nothing
    truth: np.ndarray  # per item: the gold answer on gold items, else the aggregated label
    gold: Mapping[int, int]
    addresses: Sequence[str]
    funders: Mapping[int, Mapping[str, str]] = field(default_factory=dict)  # worker -> kind -> source
    pass_bar: float = 0.7


@dataclass(frozen=True)
class Assessment:
    signals: list[list[Signal]]  # per worker position, every signal computed (fired or not)
    clusters: list[list[int]]  # sybil clusters: worker positions, each of size >= 2

    def flagged(self) -> list[int]:
        return [w for w, signals in enumerate(self.signals) if any(s.fired for s in signals)]

    def cluster_of(self) -> dict[int, int]:
        return {w: c for c, members in enumerate(self.clusters) for w in members}


def wilson_upper(hits: float, n: float, z: float = WILSON_Z) -> float:
    if n == 0:
        return 1.0
    p = hits / n
    centre = p + z * z / (2 * n)
    spread = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (centre + spread) / (1 + z * z / n)


def timing_signals(ms: np.ndarray) -> list[Signal]:
    ms = ms[~np.isnan(ms)]
    if ms.size < MIN_TIMED:
        reason = f"only {ms.size} timed answers (needs {MIN_TIMED})"
        return [
            Signal("too_fast", math.nan, FAST_MEDIAN_MS, False, reason),
            Signal("too_regular", math.nan, REGULAR_CV, False, reason),
        ]
    median = float(np.median(ms))
    cv = float(ms.std() / ms.mean()) if ms.mean() > 0 else 0.0
    return [
        Signal(
            "too_fast",
            median,
            FAST_MEDIAN_MS,
            median < FAST_MEDIAN_MS,
            f"median answer time {median:.0f} ms over {ms.size} answers, as its page measured"
            f" (flag below {FAST_MEDIAN_MS} ms)",
        ),
        Signal(
            "too_regular",
            cv,
            REGULAR_CV,
            cv < REGULAR_CV,
            f"answer times vary by {cv:.2f} of their mean (people vary by ~0.5; flag below {REGULAR_CV})",
        ),
    ]


def accuracy_signal(name: str, what: str, hits: int, n: int, minimum: int, floor: float) -> Signal:
    if n < minimum:
        return Signal(name, math.nan, floor, False, f"only {n} {what} (needs {minimum})")
    upper = wilson_upper(hits, n)
    return Signal(
        name,
        upper,
        floor,
        upper < floor,
        f"{hits} of {n} {what} right ({hits / n:.0%}); even the 95% upper bound {upper:.0%} "
        f"{'is below' if upper < floor else 'clears'} {floor:.0%}",
    )


def _peer_hits(ev: Evidence) -> tuple[np.ndarray, np.ndarray]:
    """Per worker: on non-gold items with a unique plurality among the *other* workers' labels, how
    many labels match it, and how many such labels there are."""
    n_workers = len(ev.addresses)
    counts = np.zeros((ev.n_items, ev.n_classes), dtype=np.int64)
    np.add.at(counts, (ev.items, ev.labels), 1)
    hits = np.zeros(n_workers)
    total = np.zeros(n_workers)
    gold = np.zeros(ev.n_items, dtype=bool)
    gold[list(ev.gold)] = True
    for item, worker, label in zip(ev.items.tolist(), ev.workers.tolist(), ev.labels.tolist()):
        if gold[item]:
            continue
        others = counts[item].copy()
        others[label] -= 1
        if others.sum() < 2:
            continue
        top = others.max()
        if (others == top).sum() > 1:
            continue
        total[worker] += 1
        hits[worker] += int(others.argmax() == label)
    return hits, total


def coincidence_rate(ev: Evidence, wrong_record: np.ndarray) -> float:
    """How often two independent wrong answers to the same item coincide, from the crowd's own
    confusions: for each true class t, the share pi_tc of wrong answers that chose c, and
    q = sum_t w_t sum_c pi_tc^2 (w_t: share of wrong answers on class-t items). Uniform mistakes give
    1/(K-1), never less; classes people confuse (4 and 9) raise it. Taken over the whole crowd, a
    ring's copies barely move it."""
    chance = 1.0 / max(ev.n_classes - 1, 1)
    confusion = np.zeros((ev.n_classes, ev.n_classes))
    np.add.at(confusion, (ev.truth[ev.items][wrong_record], ev.labels[wrong_record]), 1)
    per_class = confusion.sum(axis=1)
    if per_class.sum() == 0:
        return chance
    shares = np.divide(confusion, per_class[:, None], out=np.zeros_like(confusion), where=per_class[:, None] > 0)
    q = float(((shares**2).sum(axis=1) * per_class).sum() / per_class.sum())
    return min(max(chance, q), 0.95)


def _pairs(ev: Evidence) -> tuple[dict[int, Signal], list[tuple[int, int]]]:
    """Pattern-similarity signals per worker (the strongest pair of each) and the fired pairs."""
    n_workers, k = len(ev.addresses), ev.n_classes
    present = np.zeros((ev.n_items, n_workers), dtype=np.float32)
    present[ev.items, ev.workers] = 1
    wrong_record = ev.labels != ev.truth[ev.items]
    shared = present.T @ present
    agree = np.zeros_like(shared)
    same_wrong = np.zeros_like(shared)
    for c in range(k):
        chosen = np.zeros_like(present)
        mask = ev.labels == c
        chosen[ev.items[mask], ev.workers[mask]] = 1
        agree += chosen.T @ chosen
        wrong_c = np.zeros_like(present)
        mask_w = mask & wrong_record
        wrong_c[ev.items[mask_w], ev.workers[mask_w]] = 1
        same_wrong += wrong_c.T @ wrong_c
    wrong = np.zeros_like(present)
    wrong[ev.items[wrong_record], ev.workers[wrong_record]] = 1
    both_wrong = wrong.T @ wrong
    given = present.sum(axis=0)
    accuracy = np.divide(given - wrong.sum(axis=0), given, out=np.zeros(n_workers), where=given > 0)

    upper = np.triu(np.ones((n_workers, n_workers), dtype=bool), 1)
    tested = upper & (shared >= MIN_SHARED)
    q = coincidence_rate(ev, wrong_record)
    n_tests = max(int(tested.sum()), 1)
    threshold = -math.log10(ALPHA / n_tests)

    tests = []
    for i, j in zip(*np.nonzero(tested)):
        i, j = int(i), int(j)
        n, agreed = int(shared[i, j]), int(agree[i, j])
        expected = accuracy[i] * accuracy[j] + (1 - accuracy[i]) * (1 - accuracy[j]) * q
        p_all = float(binom.sf(agreed - 1, n, min(expected, 0.999)))
        nw, sw = int(both_wrong[i, j]), int(same_wrong[i, j])
        p_wrong = float(binom.sf(sw - 1, nw, q)) if k > 2 and nw and sw >= MIN_SAME_WRONG else 1.0
        if p_wrong <= p_all:
            detail = f"chose the same wrong class as {{peer}} on {sw} of the {nw} items both got wrong"
            detail += f" (chance ~{nw * q:.1f})"
        else:
            detail = f"agreed with {{peer}} on {agreed} of {n} shared items"
            detail += f" (their accuracies predict ~{n * expected:.1f})"
        tests.append((i, j, min(p_all, p_wrong), detail))
    return strongest_pairs(ev.addresses, tests, threshold, what="items")


def strongest_pairs(
    addresses: Sequence[str], tests: list[tuple[int, int, float, str]], threshold: float, *, what: str
) -> tuple[dict[int, Signal], list[tuple[int, int]]]:
    """Signals from the pair tests (i, j, p-value, detail with a {peer} slot): each worker shows its
    strongest pair, plus every fired pair's peer among `related`; and the fired pairs."""
    best: dict[int, Signal] = {}
    fired_pairs = []
    for i, j, p_value, detail in tests:
        score = -math.log10(max(p_value, 1e-300))
        fired = score >= threshold
        for me, other in ((i, j), (j, i)):
            peer = addresses[other]
            reason = f"{detail.format(peer=peer)}; -log10 p = {score:.1f}, flag at {threshold:.1f}"
            signal = Signal("pattern_similarity", score, threshold, fired, reason, (peer,))
            if me not in best or signal.score > best[me].score:
                best[me] = signal
        if fired:
            fired_pairs.append((i, j))
    alone = Signal("pattern_similarity", 0.0, threshold, False, f"no other worker shares {MIN_SHARED}+ {what} with it")
    signals = {w: best.get(w, alone) for w in range(len(addresses))}
    # Every fired pair shows on both workers, not only on the strongest one.
    for i, j in fired_pairs:
        for me, other in ((i, j), (j, i)):
            if addresses[other] not in signals[me].related:
                signals[me] = replace(signals[me], related=signals[me].related + (addresses[other],))
    return signals, fired_pairs


def common_funder_signals(
    addresses: Sequence[str], funders: Mapping[int, Mapping[str, str]]
) -> tuple[dict[int, Signal], list[tuple[int, int]]]:
    by_source: dict[tuple[str, str], list[int]] = defaultdict(list)
    for worker, sources in funders.items():
        for kind, source in sources.items():
            by_source[(kind, source.lower())].append(worker)
    groups: dict[int, list[tuple[str, str, list[int]]]] = defaultdict(list)
    edges = []
    for (kind, source), workers in by_source.items():
        if len(workers) < 2:
            continue
        edges += [(workers[0], other) for other in workers[1:]]
        for worker in workers:
            groups[worker].append((kind, source, workers))
    signals = {}
    for worker in range(len(addresses)):
        shared = groups.get(worker, [])
        if not shared:
            reason = "no other worker of this job shares its first funder"
            signals[worker] = Signal("common_funder", 1.0, 2.0, False, reason)
            continue
        size = max(len(workers) for _, _, workers in shared)
        related = sorted({addresses[w] for _, _, workers in shared for w in workers if w != worker})
        reason = "; ".join(
            f"its first {'ETH' if kind == 'eth' else 'tokens'} came from {source},"
            f" which also funded {len(workers) - 1} other worker(s) of this job"
            for kind, source, workers in shared
        )
        signals[worker] = Signal("common_funder", float(size), 2.0, True, reason, tuple(related))
    return signals, edges


def sybil_clusters(n: int, edges: list[tuple[int, int]]) -> list[list[int]]:
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        parent[find(a)] = find(b)
    groups: dict[int, list[int]] = defaultdict(list)
    for w in range(n):
        groups[find(w)].append(w)
    return sorted((sorted(g) for g in groups.values() if len(g) > 1), key=lambda g: g[0])


def assess(ev: Evidence) -> Assessment:
    n_workers = len(ev.addresses)
    floor = (1.0 / ev.n_classes + ev.pass_bar) / 2
    right = ev.labels == ev.truth[ev.items]
    is_gold = np.isin(ev.items, list(ev.gold))
    gold_n = np.bincount(ev.workers[is_gold], minlength=n_workers)
    gold_hits = np.bincount(ev.workers[is_gold], weights=right[is_gold], minlength=n_workers)
    peer_hits, peer_n = _peer_hits(ev)
    pair_signals, pairs = _pairs(ev)
    funding, funding_edges = common_funder_signals(ev.addresses, ev.funders)
    signals = []
    for w in range(n_workers):
        signals.append(
            timing_signals(ev.answer_ms[ev.workers == w])
            + [
                accuracy_signal("gold_accuracy", "gold answers", int(gold_hits[w]), int(gold_n[w]), MIN_GOLD, floor),
                accuracy_signal(
                    "peer_agreement",
                    "answers matching the other workers' plurality",
                    int(peer_hits[w]),
                    int(peer_n[w]),
                    MIN_PEER,
                    floor,
                ),
            ]
            + [pair_signals[w], funding[w]]
        )
    return Assessment(signals=signals, clusters=sybil_clusters(n_workers, pairs + funding_edges))
