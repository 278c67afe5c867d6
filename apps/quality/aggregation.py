"""Truth inference: from crowd labels to one label per item, with confidences and worker estimates.

Pure numpy/scipy, no Django: callers pass label records as arrays of small integer indices.
See docs/aggregation.md for the methods, the default and the benchmark behind it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial

import numpy as np
from numpy.typing import ArrayLike

from apps.quality import gold as gold_evidence
from apps.quality.crowd import (
    AggregationResult,
    Crowd,
    FloatArray,
    expected_counts,
    make_crowd,
    summarise,
)
from apps.quality.dawid_skene import (
    EMFit,
    WorkerModel,
    e_step,
    estimate_emission,
    estimate_priors,
    fit_em,
)

SMOOTHING = 0.01
FULL = WorkerModel(smoothing=SMOOTHING, one_coin_strength=0.0)
ONE_COIN = WorkerModel(smoothing=SMOOTHING, one_coin_strength=None)
# Pseudo-labels per true class pulling a worker's confusion column towards its one-coin estimate:
# large next to the ~20-200 labels per class a worker gives in a job, so a full matrix only departs
# from "accuracy + evenly spread errors" where the worker's own labels clearly say so.
ONE_COIN_STRENGTH = 300.0
# Pseudo-labels at the crowd's pooled accuracy in each worker's one-coin estimate: enough that a
# 1-1 split between two newcomers stays a coin flip (asking for more labels) instead of whichever
# way EM tips first. On the benchmark's workers (hundreds of labels each) it changes nothing; on
# its small jobs (some workers with 1-2 labels) accuracy is the same, overconfidence halves
# (+0.076 -> +0.037) and the learner's disagreement bar catches 51 % of wrong labels, not 39 %.
CROWD_STRENGTH = 8.0
ANCHORED = WorkerModel(
    smoothing=SMOOTHING, one_coin_strength=ONE_COIN_STRENGTH, crowd_strength=CROWD_STRENGTH, spam_level=0.01
)

# Standard errors by which the gold-only worker estimate must out-predict the EM fit on the gold
# items before it replaces it (see gold.significantly_better).
GOLD_SWITCH_Z = 2.5


def vote_shares(crowd: Crowd, *, worker_weights: FloatArray | None = None) -> FloatArray:
    """Each item's (weighted) votes per class as a distribution; uniform for an item nobody labelled."""
    weights = np.ones(crowd.n_workers) if worker_weights is None else worker_weights
    # Row (w, l) of this (worker·class, class) matrix puts worker w's weight on class l.
    per_vote = np.kron(weights[:, None], np.eye(crowd.n_classes))
    scores = np.asarray(crowd.votes @ per_vote)
    totals = scores.sum(axis=1, keepdims=True)
    uniform = np.full_like(scores, 1.0 / crowd.n_classes)
    return np.divide(scores, totals, out=uniform, where=totals > 0)


def _result(crowd: Crowd, fit: EMFit) -> AggregationResult:
    return summarise(
        crowd,
        posteriors=fit.posteriors,
        emission=fit.emission,
        class_priors=fit.class_priors,
        iterations=fit.iterations,
    )


def voting(crowd: Crowd, worker_weights: FloatArray | None) -> AggregationResult:
    """(Weighted) majority vote. The confidence is the vote share; exact ties go to the lowest class
    index. Worker confusions are one pass against the vote shares, as cheap as the vote itself."""
    posteriors = vote_shares(crowd, worker_weights=worker_weights)
    emission = estimate_emission(expected_counts(crowd, posteriors), FULL)
    priors = estimate_priors(posteriors, smoothing=SMOOTHING)
    return _result(crowd, EMFit(posteriors, emission, priors, iterations=0))


def dawid_skene(
    crowd: Crowd, worker_weights: FloatArray | None, *, model: WorkerModel, use_gold: bool
) -> AggregationResult:
    """EM started from the (weighted) majority vote; with `use_gold` gold items stay clamped."""
    fit = fit_em(
        crowd,
        initial_posteriors=vote_shares(crowd, worker_weights=worker_weights),
        model=model,
        use_gold=use_gold,
    )
    return _result(crowd, fit)


def anchored_dawid_skene(
    crowd: Crowd, worker_weights: FloatArray | None, *, model: WorkerModel = ANCHORED
) -> AggregationResult:
    """The default: gold-clamped EM with confusions shrunk towards one-coin, checked against gold.

    When the gold items' classes are predicted significantly better (leave-one-out) by each worker's
    accuracy on gold alone than by the EM fit, the EM fit is a wrong fixed point — typically colluders who agree
    on wrong answers and so look more reliable than honest workers — and the gold-only worker
    estimate decides the labels instead.
    """
    fit = fit_em(
        crowd,
        initial_posteriors=vote_shares(crowd, worker_weights=worker_weights),
        model=model,
        use_gold=True,
    )
    if crowd.gold_items.size:
        answers = gold_evidence.gold_answers(crowd)
        # Both worker estimates are scored with the fit's priors, so only the workers differ.
        gold_only = gold_evidence.gold_only_score(crowd, answers, smoothing=SMOOTHING, class_priors=fit.class_priors)
        fitted = gold_evidence.fit_score(crowd, answers, emission=fit.emission, class_priors=fit.class_priors)
        if gold_evidence.significantly_better(gold_only, fitted, z=GOLD_SWITCH_Z):
            # A captured fit's priors are captured too (everything "is" the colluders' class), so
            # the priors are re-estimated under the gold-only workers.
            emission = gold_evidence.gold_emission(crowd, answers, smoothing=SMOOTHING)
            uniform = np.full(crowd.n_classes, 1.0 / crowd.n_classes)
            posteriors, _ = e_step(crowd, emission=emission, class_priors=uniform)
            fit = fit_em(crowd, initial_posteriors=posteriors, model=model, use_gold=True, fixed_emission=emission)
    return _result(crowd, fit)


Method = Callable[[Crowd, FloatArray | None], AggregationResult]

METHODS: dict[str, Method] = {
    "majority": lambda crowd, _weights: voting(crowd, None),
    "weighted_majority": voting,
    "one_coin": partial(dawid_skene, model=ONE_COIN, use_gold=False),
    "dawid_skene": partial(dawid_skene, model=FULL, use_gold=False),
    "gold_dawid_skene": partial(dawid_skene, model=FULL, use_gold=True),
    "anchored_dawid_skene": anchored_dawid_skene,
}
DEFAULT_METHOD = "anchored_dawid_skene"


def aggregate(
    method: str = DEFAULT_METHOD,
    *,
    items: ArrayLike,
    workers: ArrayLike,
    labels: ArrayLike,
    n_classes: int,
    n_items: int | None = None,
    n_workers: int | None = None,
    gold: Mapping[int, int] | None = None,
    worker_weights: ArrayLike | None = None,
) -> AggregationResult:
    """Aggregate label records (item, worker, class as parallel integer arrays) with `method`.

    `gold` maps item → known class; only the gold-aware methods use it. `worker_weights` (one
    non-negative number per worker, e.g. reputation) weight the vote of "weighted_majority" and the
    starting point of the EM methods."""
    if method not in METHODS:
        raise ValueError(f"unknown aggregation method {method!r}; known: {sorted(METHODS)}")
    crowd = make_crowd(
        items=items,
        workers=workers,
        labels=labels,
        n_classes=n_classes,
        n_items=n_items,
        n_workers=n_workers,
        gold=gold,
    )
    weights = None
    if worker_weights is not None:
        weights = np.asarray(worker_weights, dtype=np.float64)
        if weights.shape != (crowd.n_workers,) or weights.min(initial=0.0) < 0:
            raise ValueError(f"worker_weights must be {crowd.n_workers} non-negative numbers")
    return METHODS[method](crowd, weights)
