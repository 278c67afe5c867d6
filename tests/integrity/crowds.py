"""Simulated crowds as signal evidence (no database): honest workers of given accuracies on shared
items, to which a test adds the behaviour whose signal it checks."""

from __future__ import annotations

import numpy as np

from apps.integrity.signals import Evidence

N_ITEMS, N_CLASSES, N_GOLD = 120, 5, 20


def honest_crowd(*, accuracies: list[float], seed: int = 0, ms: tuple[float, float] = (2500.0, 0.6)) -> dict:
    """Every worker labels every item; answer times lognormal(median, sigma) like people's."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(N_CLASSES, size=N_ITEMS)
    answers = []
    for accuracy in accuracies:
        right = rng.random(N_ITEMS) < accuracy
        wrong = (truth + rng.integers(1, N_CLASSES, size=N_ITEMS)) % N_CLASSES
        answers.append(np.where(right, truth, wrong))
    times = [rng.lognormal(np.log(ms[0]), ms[1], size=N_ITEMS) for _ in accuracies]
    return {"truth": truth, "answers": answers, "times": times, "rng": rng}


def evidence(crowd: dict, *, funders: dict | None = None) -> Evidence:
    answers, n_workers = crowd["answers"], len(crowd["answers"])
    items = np.tile(np.arange(N_ITEMS), n_workers)
    workers = np.repeat(np.arange(n_workers), N_ITEMS)
    labels = np.concatenate(answers)
    counts = np.zeros((N_ITEMS, N_CLASSES), dtype=int)
    np.add.at(counts, (items, labels), 1)
    reference = counts.argmax(axis=1)
    gold = {i: int(crowd["truth"][i]) for i in range(N_GOLD)}
    reference[:N_GOLD] = crowd["truth"][:N_GOLD]
    return Evidence(
        n_items=N_ITEMS,
        n_classes=N_CLASSES,
        items=items,
        workers=workers,
        labels=labels,
        answer_ms=np.concatenate(crowd["times"]),
        truth=reference,
        gold=gold,
        addresses=[f"0x{w + 1:040x}" for w in range(n_workers)],
        funders=funders or {},
        pass_bar=0.7,
    )


def fired(assessment, worker: int) -> set[str]:
    return {s.name for s in assessment.signals[worker] if s.fired}
