"""Truth for a job's items from its label records with the job's aggregation method, or a plain
vote when the crowd overlaps too little for Dawid–Skene. Pure (arrays in, arrays out) so the
worker's aggregation, settlement and the settlement benchmark share it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from apps.quality.aggregation import DEFAULT_METHOD, aggregate
from apps.quality.crowd import AggregationResult

# Dawid–Skene estimates each worker from the items it shares with others; below this many items
# labelled at least twice there is too little overlap to estimate anyone and EM only adds noise
# to a plain vote (docs/aggregation.md).
MIN_OVERLAPPING_ITEMS = 10
FALLBACK_METHOD = "majority"
# Methods that need no overlap between workers: used as asked whatever the crowd.
VOTES = {"majority", "weighted_majority"}


@dataclass(frozen=True)
class Truth:
    method: str
    result: AggregationResult
    votes: np.ndarray  # (n_items,) labels per item


def choose_method(*, votes: np.ndarray, method: str = DEFAULT_METHOD) -> str:
    if method in VOTES or int((votes >= 2).sum()) >= MIN_OVERLAPPING_ITEMS:
        return method
    return FALLBACK_METHOD


def infer_truth(
    *,
    items: ArrayLike,
    workers: ArrayLike,
    labels: ArrayLike,
    n_items: int,
    n_workers: int,
    n_classes: int,
    gold: Mapping[int, int] | None = None,
    method: str = DEFAULT_METHOD,
    worker_weights: ArrayLike | None = None,
) -> Truth:
    """Aggregate records (item, worker, class indices) with `method` (see choose_method).
    `worker_weights` (per worker) weight the votes of "weighted_majority". Gold items always take
    their known class: the votes ignore gold, and truth must never contradict a known answer."""
    items = np.asarray(items, dtype=np.int64)
    votes = np.bincount(items, minlength=n_items)
    method = choose_method(votes=votes, method=method)
    result = aggregate(
        method,
        items=items,
        workers=workers,
        labels=labels,
        n_classes=n_classes,
        n_items=n_items,
        n_workers=n_workers,
        gold=gold,
        worker_weights=worker_weights if method == "weighted_majority" else None,
    )
    if gold:
        known = np.fromiter(gold.keys(), dtype=np.int64, count=len(gold))
        result.labels[known] = np.fromiter(gold.values(), dtype=np.int64, count=len(gold))
        result.confidence[known] = 1.0
    return Truth(method=method, result=result, votes=votes)
