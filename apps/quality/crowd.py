"""Label records as arrays, and the result every aggregation method returns.

A crowd is a set of records (item, worker, class), all small non-negative integers. The one derived
structure the methods share is `votes`: a sparse (item × worker·class) count matrix. With it both EM
steps are a sparse-dense product: the E-step is `votes @ log_emission` and the M-step's expected
counts are `votes.T @ posteriors`, so no method loops over records in Python.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import sparse

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Crowd:
    items: IntArray
    workers: IntArray
    labels: IntArray
    n_items: int
    n_workers: int
    n_classes: int
    votes: sparse.csr_array  # (n_items, n_workers * n_classes): how often worker w gave class l to item i
    gold_items: IntArray  # items whose true class is known, and those classes
    gold_labels: IntArray

    @property
    def labels_per_worker(self) -> IntArray:
        return np.bincount(self.workers, minlength=self.n_workers)


@dataclass(frozen=True)
class AggregationResult:
    labels: IntArray  # (n_items,) the chosen class per item
    confidence: FloatArray  # (n_items,) posterior probability of the chosen class
    probabilities: FloatArray  # (n_items, n_classes); every row sums to 1
    worker_accuracy: FloatArray  # (n_workers,) expected share of the worker's labels that are right; nan: no labels
    confusion: FloatArray  # (n_workers, true class, given class): P(worker answers given | true); rows sum to 1
    class_priors: FloatArray  # (n_classes,)
    iterations: int  # EM iterations run; 0 for the voting methods


def _as_index_array(values: ArrayLike, name: str) -> IntArray:
    array = np.asarray(values)
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional")
    if array.size and not np.issubdtype(array.dtype, np.integer):
        raise ValueError(f"{name} must hold integers")
    array = array.astype(np.int64, copy=False)
    if array.size and array.min() < 0:
        raise ValueError(f"{name} must be non-negative")
    return array


def _size(given: int | None, indices: IntArray, name: str) -> int:
    needed = int(indices.max()) + 1 if indices.size else 0
    if given is None:
        return needed
    if given < needed:
        raise ValueError(f"{name}={given} but an index {needed - 1} occurs")
    return given


def make_crowd(
    *,
    items: ArrayLike,
    workers: ArrayLike,
    labels: ArrayLike,
    n_classes: int,
    n_items: int | None = None,
    n_workers: int | None = None,
    gold: Mapping[int, int] | None = None,
) -> Crowd:
    """Validate label records and build the vote matrix. `n_items` / `n_workers` default to one past
    the largest index seen; pass them to include items or workers that have no labels yet."""
    item_array = _as_index_array(items, "items")
    worker_array = _as_index_array(workers, "workers")
    label_array = _as_index_array(labels, "labels")
    if not item_array.size == worker_array.size == label_array.size:
        raise ValueError("items, workers and labels must have the same length")
    if n_classes < 1:
        raise ValueError("n_classes must be at least 1")
    if label_array.size and label_array.max() >= n_classes:
        raise ValueError(f"a label is >= n_classes={n_classes}")
    gold = dict(gold or {})
    gold_items = np.fromiter(gold.keys(), dtype=np.int64, count=len(gold))
    gold_labels = np.fromiter(gold.values(), dtype=np.int64, count=len(gold))
    if gold_labels.size and (gold_labels.min() < 0 or gold_labels.max() >= n_classes):
        raise ValueError(f"a gold class is outside 0..{n_classes - 1}")
    total_items = _size(n_items, np.concatenate([item_array, gold_items]), "n_items")
    total_workers = _size(n_workers, worker_array, "n_workers")
    votes = sparse.csr_array(
        (np.ones(item_array.size), (item_array, worker_array * n_classes + label_array)),
        shape=(total_items, total_workers * n_classes),
    )
    votes.sum_duplicates()
    return Crowd(
        items=item_array,
        workers=worker_array,
        labels=label_array,
        n_items=total_items,
        n_workers=total_workers,
        n_classes=n_classes,
        votes=votes,
        gold_items=gold_items,
        gold_labels=gold_labels,
    )


def expected_counts(crowd: Crowd, posteriors: FloatArray) -> FloatArray:
    """(worker, given class, true class) expected counts under the item posteriors."""
    counts = np.asarray(crowd.votes.T @ posteriors)
    return counts.reshape(crowd.n_workers, crowd.n_classes, crowd.n_classes)


def clamp_gold(crowd: Crowd, posteriors: FloatArray) -> FloatArray:
    """Posteriors with every gold item set to certainty on its known class."""
    if crowd.gold_items.size:
        posteriors = posteriors.copy()
        posteriors[crowd.gold_items] = 0.0
        posteriors[crowd.gold_items, crowd.gold_labels] = 1.0
    return posteriors


def summarise(
    crowd: Crowd,
    *,
    posteriors: FloatArray,
    emission: FloatArray,
    class_priors: FloatArray,
    iterations: int,
) -> AggregationResult:
    """Package posteriors and (worker, given, true) emission probabilities as a result."""
    # argmax takes the lowest class index among exact ties: deterministic, and documented as such.
    labels = posteriors.argmax(axis=1)
    # A worker's accuracy is the posterior mass on the classes it gave, averaged over its labels.
    credit = np.bincount(
        crowd.workers,
        weights=posteriors[crowd.items, crowd.labels],
        minlength=crowd.n_workers,
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        worker_accuracy = credit / crowd.labels_per_worker
    return AggregationResult(
        labels=labels,
        confidence=posteriors[np.arange(crowd.n_items), labels],
        probabilities=posteriors,
        worker_accuracy=worker_accuracy,
        confusion=emission.transpose(0, 2, 1).copy(),
        class_priors=class_priors,
        iterations=iterations,
    )
