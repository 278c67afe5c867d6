"""Small simulated crowds for the aggregation tests: a fixed panel in which every worker labels
every item, each worker described by how it answers given the true classes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Answering = Callable[[np.random.Generator, np.ndarray, int], np.ndarray]


@dataclass(frozen=True)
class Panel:
    items: np.ndarray
    workers: np.ndarray
    labels: np.ndarray
    truth: np.ndarray
    n_classes: int

    def gold(self, items: np.ndarray) -> dict[int, int]:
        return {int(item): int(self.truth[item]) for item in items}

    def records(self) -> dict:
        return {"items": self.items, "workers": self.workers, "labels": self.labels, "n_classes": self.n_classes}


def accurate(p: float) -> Answering:
    """Right with probability p, else a uniformly random wrong class."""

    def answer(rng: np.random.Generator, truth: np.ndarray, n_classes: int) -> np.ndarray:
        wrong = (truth + rng.integers(1, n_classes, truth.size)) % n_classes
        return np.where(rng.random(truth.size) < p, truth, wrong)

    return answer


def uniform_spammer(rng: np.random.Generator, truth: np.ndarray, n_classes: int) -> np.ndarray:
    return rng.integers(0, n_classes, truth.size)


def always_first(rng: np.random.Generator, truth: np.ndarray, n_classes: int) -> np.ndarray:
    return np.zeros_like(truth)


def panel(workers: list[Answering], *, n_items: int, n_classes: int, seed: int) -> Panel:
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, n_classes, n_items)
    answers = [answer(rng, truth, n_classes) for answer in workers]
    return Panel(
        items=np.tile(np.arange(n_items), len(workers)),
        workers=np.repeat(np.arange(len(workers)), n_items),
        labels=np.concatenate(answers),
        truth=truth,
        n_classes=n_classes,
    )
