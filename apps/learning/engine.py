"""The learner the worker calls: train on the confirmed labels, rank the unlabeled pool, evaluate on a
holdout, and choose a first batch before there is any label. `ActiveLearningLoop` runs the same
functions against a known answer key, for the benchmark and the tests.

The model is retrained from scratch on every call (never `teach()`-ed incrementally) because
aggregated labels can change as more votes arrive: the confirmed set is the truth each time.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from modAL.models import ActiveLearner
from sklearn.base import BaseEstimator, clone
from sklearn.linear_model import LogisticRegression

from apps.learning.strategies import (
    DEFAULT_STRATEGY,
    STRATEGIES,
    Features,
    Ranking,
    cold_start_ranking,
)

RandomState = int | np.random.Generator | None

# Only ever cloned, never fitted. max_iter is raised because uncertainty sampling feeds the solver
# the hardest items, on which lbfgs' default 100 iterations stop short.
DEFAULT_ESTIMATOR = LogisticRegression(max_iter=1000)


class InsufficientLabelsError(ValueError):
    """Too few distinct labels to fit a classifier: rank with `cold_start` instead."""


def train(
    *,
    X_labeled: Features,
    y_labeled: Sequence | np.ndarray,
    classes: Sequence,
    estimator: BaseEstimator = DEFAULT_ESTIMATOR,
) -> ActiveLearner:
    """Fit a fresh clone of `estimator` on the labeled items, wrapped as a modAL learner: modAL's
    ranked batch mode reads the training set from it to measure distance to what is labeled."""
    y = np.asarray(y_labeled)
    seen = np.unique(y)
    allowed = set(classes)
    unknown = [label for label in seen.tolist() if label not in allowed]
    if unknown:
        raise ValueError(f"labels {unknown} are not among the job's classes {list(classes)}")
    if seen.size < 2:
        raise InsufficientLabelsError(f"need labels of at least two classes to train, got {seen.tolist()}")
    return ActiveLearner(estimator=clone(estimator), X_training=X_labeled, y_training=y)


def evaluate(model: ActiveLearner, X_holdout: Features, y_holdout: Sequence | np.ndarray) -> float:
    """Held-out accuracy: the number stored with each model version (the learning curve)."""
    return float(model.score(X_holdout, np.asarray(y_holdout)))


def _rank_candidates(
    *,
    X_pool: Features,
    exclude: Sequence[int] | np.ndarray,
    random_state: RandomState,
    rank: Callable[[Features, np.random.Generator], Ranking],
) -> Ranking:
    candidates = np.setdiff1d(np.arange(X_pool.shape[0]), np.asarray(exclude, dtype=np.intp))
    if candidates.size == 0:
        return Ranking(indices=candidates, scores=np.empty(0))
    local = rank(X_pool[candidates], np.random.default_rng(random_state))
    return Ranking(indices=candidates[local.indices], scores=local.scores)


def rank_pool(
    *,
    model: ActiveLearner,
    X_pool: Features,
    strategy: str = DEFAULT_STRATEGY,
    batch_size: int = 10,
    exclude: Sequence[int] | np.ndarray = (),
    random_state: RandomState = None,
) -> Ranking:
    """Rank the rows of `X_pool` not in `exclude` (labeled or in flight); indices point into `X_pool`."""
    if strategy not in STRATEGIES:
        raise ValueError(f"unknown strategy {strategy!r}; choose from {sorted(STRATEGIES)}")
    query = STRATEGIES[strategy]
    return _rank_candidates(
        X_pool=X_pool,
        exclude=exclude,
        random_state=random_state,
        rank=lambda X, rng: query(model, X, batch_size=batch_size, rng=rng),
    )


def cold_start(
    *,
    X_pool: Features,
    batch_size: int,
    exclude: Sequence[int] | np.ndarray = (),
    random_state: RandomState = None,
) -> Ranking:
    """The ranking to serve before a model exists: a diverse, representative first batch."""
    return _rank_candidates(
        X_pool=X_pool,
        exclude=exclude,
        random_state=random_state,
        rank=lambda X, rng: cold_start_ranking(X, batch_size=batch_size, rng=rng),
    )


@dataclass(frozen=True)
class CurvePoint:
    n_labeled: int
    accuracy: float


def labels_to_reach(curve: Sequence[CurvePoint], *, target: float, sustained: bool = True) -> int | None:
    """Labels at the first round whose accuracy is >= `target`; with `sustained`, the first round
    from which every later round of the run stays >= `target` too. None if never."""
    if not sustained:
        return next((point.n_labeled for point in curve if point.accuracy >= target), None)
    reached = None
    for point in reversed(curve):
        if point.accuracy < target:
            break
        reached = point.n_labeled
    return reached


@dataclass(frozen=True)
class LoopResult:
    curve: list[CurvePoint]
    labeled: np.ndarray  # pool indices in the order they were labeled


@dataclass(kw_only=True)
class ActiveLearningLoop:
    """Simulated crowd: each round labels the top of the ranking from a known answer key `y_pool`,
    retrains and measures holdout accuracy. `start="random"` is the textbook protocol (random first
    batch); `start="cold_start"` uses the engine's diverse first batch."""

    X_pool: Features
    y_pool: np.ndarray
    X_holdout: Features
    y_holdout: np.ndarray
    classes: Sequence
    strategy: str = DEFAULT_STRATEGY
    start: Literal["cold_start", "random"] = "cold_start"
    initial_size: int = 20
    batch_size: int = 10
    estimator: BaseEstimator = field(default=DEFAULT_ESTIMATOR)
    random_state: int = 0

    def _first_batch(self, rng: np.random.Generator) -> np.ndarray:
        if self.start == "random":
            return rng.choice(self.X_pool.shape[0], size=self.initial_size, replace=False)
        return cold_start(X_pool=self.X_pool, batch_size=self.initial_size, random_state=rng).top(self.initial_size)

    def run(self, *, budget: int) -> LoopResult:
        """Label up to `budget` items in total, recording accuracy after every retrain."""
        rng = np.random.default_rng(self.random_state)
        labeled = self._first_batch(rng)
        curve = []
        while True:
            model = train(
                X_labeled=self.X_pool[labeled],
                y_labeled=self.y_pool[labeled],
                classes=self.classes,
                estimator=self.estimator,
            )
            curve.append(CurvePoint(len(labeled), evaluate(model, self.X_holdout, self.y_holdout)))
            room = min(self.batch_size, budget - len(labeled), self.X_pool.shape[0] - len(labeled))
            if room <= 0:
                return LoopResult(curve=curve, labeled=labeled)
            ranking = rank_pool(
                model=model,
                X_pool=self.X_pool,
                strategy=self.strategy,
                batch_size=room,
                exclude=labeled,
                random_state=rng,
            )
            labeled = np.concatenate([labeled, ranking.top(room)])
