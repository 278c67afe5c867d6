"""Dawid–Skene EM over a `Crowd`, with the worker model as a parameter.

Emission probabilities are stored as (worker, given class, true class) so that, flattened to
(worker·given, true), they line up with the columns of `crowd.votes`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.special import chdtrc, ndtri

from apps.quality.crowd import Crowd, FloatArray, clamp_gold, expected_counts


@dataclass(frozen=True)
class WorkerModel:
    """How the M-step turns expected counts into a worker's emission probabilities.

    `smoothing` is a symmetric Dirichlet pseudo-count per cell: it keeps an error a worker never
    made in the sample from becoming an impossibility. `one_coin_strength` is the pseudo-count per
    true class drawn from the worker's one-coin estimate (accuracy on the diagonal, the rest spread
    evenly): 0 gives the full confusion matrix of classic Dawid–Skene, `None` the one-coin model
    itself, anything between a full matrix shrunk towards the one-coin one — which is what a worker
    with few labels per class can support.

    `crowd_strength` pseudo-labels at the crowd's pooled accuracy are added to each worker's
    one-coin estimate: without them a worker's only label agrees with whatever that label made the
    item's posterior, so one newcomer rates itself perfect and outvotes another (a 1–1 split
    between two newcomers came out 0.9999 sure). A worker with many labels is barely moved.

    With `spam_level` set, a worker shown to answer independently of the true class (see
    `spammers`, which also takes `spam_margin`) gets a rank-one emission — the same answer
    distribution whatever the truth — so its labels contribute exactly nothing instead of noise.
    """

    smoothing: float = 0.01
    one_coin_strength: float | None = 0.0
    crowd_strength: float = 0.0
    spam_level: float | None = None
    spam_margin: float = 0.05


@dataclass(frozen=True)
class EMFit:
    posteriors: FloatArray
    emission: FloatArray
    class_priors: FloatArray
    iterations: int


def one_coin_matrix(accuracy: FloatArray, n_classes: int) -> FloatArray:
    """(worker, given, true) emissions: each worker's accuracy on the diagonal, the rest spread
    evenly over the wrong classes."""
    wrong = (1.0 - accuracy) / max(n_classes - 1, 1)
    return wrong[:, None, None] + (accuracy - wrong)[:, None, None] * np.eye(n_classes)


def one_coin_emission(counts: FloatArray, *, smoothing: float, crowd_strength: float = 0.0) -> FloatArray:
    """The one-coin M-step: each worker's smoothed share of right answers in the expected counts,
    with `crowd_strength` pseudo-labels at the whole crowd's share."""
    n_classes = counts.shape[1]
    right = np.trace(counts, axis1=1, axis2=2)
    total = counts.sum(axis=(1, 2))
    pooled = (right.sum() + smoothing) / (total.sum() + n_classes * smoothing)
    accuracy = (right + smoothing + crowd_strength * pooled) / (total + n_classes * smoothing + crowd_strength)
    return one_coin_matrix(accuracy, n_classes)


def spammers(counts: FloatArray, *, level: float, margin: float) -> NDArray[np.bool_]:
    """Workers shown to answer independently of the true class, as far as the counts can tell.

    A spammer must pass two checks: its (given, true) table shows no significant dependence at
    `level` (a likelihood-ratio test with (K-1)² degrees of freedom, so a worker with a structured
    but informative confusion is kept), and its agreement with the truth is, with confidence
    1 - `level`, less than `margin` above what its answer frequencies give by chance (so a new
    worker with a handful of labels is not silenced for lack of evidence). Independence covers the
    uniform spammer and the always-the-same-class worker alike. Neither check can tell skill from
    spam on items that are (nearly) all one true class — there a perfect worker and an
    always-that-class one give the same answers — so a worker is only silenced when a perfect
    worker on its items would agree with the truth by `margin` more than chance, 1 - Σ_t p_t².
    """
    n_classes = counts.shape[1]
    total = counts.sum(axis=(1, 2))
    given = counts.sum(axis=2)
    true = counts.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        expected = given[:, :, None] * true[:, None, :] / total[:, None, None]
        ratio = np.where(counts > 0, counts / expected, 1.0)
        g_statistic = 2.0 * np.sum(counts * np.log(ratio), axis=(1, 2))
        # chdtrc is chi2.sf and -ndtri(level) is norm.isf(level), without scipy.stats' overhead.
        independent = chdtrc(max((n_classes - 1) ** 2, 1), g_statistic) > level
        chance = np.trace(expected, axis1=1, axis2=2) / total
        excess = np.trace(counts, axis1=1, axis2=2) / total - chance
        upper = excess - ndtri(level) * np.sqrt(chance * (1.0 - chance) / total)
        headroom = 1.0 - np.sum((true / total[:, None]) ** 2, axis=1)
    return (total > 0) & independent & (upper < margin) & (headroom >= margin)


def estimate_emission(counts: FloatArray, model: WorkerModel) -> FloatArray:
    """The M-step for the workers: (worker, given, true) emissions from expected counts."""
    if model.one_coin_strength is None:
        emission = one_coin_emission(counts, smoothing=model.smoothing, crowd_strength=model.crowd_strength)
    else:
        pseudo = counts + model.smoothing
        if model.one_coin_strength:
            pseudo += model.one_coin_strength * one_coin_emission(
                counts, smoothing=model.smoothing, crowd_strength=model.crowd_strength
            )
        emission = pseudo / pseudo.sum(axis=1, keepdims=True)
    if model.spam_level is not None:
        spam = spammers(counts, level=model.spam_level, margin=model.spam_margin)
        answers = counts[spam].sum(axis=2) + model.smoothing
        answers /= answers.sum(axis=1, keepdims=True)
        emission[spam] = answers[:, :, None]
    return emission


def estimate_priors(posteriors: FloatArray, *, smoothing: float) -> FloatArray:
    mass = posteriors.sum(axis=0) + smoothing
    return mass / mass.sum()


def log_normaliser(joint: FloatArray) -> FloatArray:
    """Row-wise log Σ exp, shifted by the row maximum so that nothing overflows or underflows."""
    peak = joint.max(axis=1, keepdims=True)
    return peak + np.log(np.exp(joint - peak).sum(axis=1, keepdims=True))


def e_step(crowd: Crowd, *, emission: FloatArray, class_priors: FloatArray) -> tuple[FloatArray, float]:
    """Item posteriors and the data log-likelihood (logs throughout: products of many small
    probabilities underflow)."""
    flat = np.log(emission).reshape(crowd.n_workers * crowd.n_classes, crowd.n_classes)
    joint = np.asarray(crowd.votes @ flat) + np.log(class_priors)
    normaliser = log_normaliser(joint)
    return np.exp(joint - normaliser), float(normaliser.sum())


def fit_em(
    crowd: Crowd,
    *,
    initial_posteriors: FloatArray,
    model: WorkerModel,
    use_gold: bool,
    fixed_emission: FloatArray | None = None,
    tol: float = 1e-6,
    max_iter: int = 100,
) -> EMFit:
    """EM from initial item posteriors (an M-step comes first). With `use_gold` the gold items stay
    clamped to their known class throughout, so they anchor every worker's emission estimate.
    With `fixed_emission` the workers are held at it and only the class priors are fitted: the
    priors a given worker model implies. Stops when the log-likelihood per label changes by less
    than `tol`, or after `max_iter` rounds; the returned posteriors are the E-step of the returned
    emissions and priors."""

    def settle(posteriors: FloatArray) -> FloatArray:
        return clamp_gold(crowd, posteriors) if use_gold else posteriors

    posteriors = settle(initial_posteriors)
    n_labels = max(crowd.items.size, 1)
    previous = -np.inf
    for iteration in range(1, max(max_iter, 1) + 1):  # noqa: B007  (the rounds run are returned)
        if fixed_emission is None:
            emission = estimate_emission(expected_counts(crowd, posteriors), model)
        else:
            emission = fixed_emission
        class_priors = estimate_priors(posteriors, smoothing=model.smoothing)
        posteriors, log_likelihood = e_step(crowd, emission=emission, class_priors=class_priors)
        posteriors = settle(posteriors)
        if abs(log_likelihood - previous) / n_labels < tol:
            break
        previous = log_likelihood
    return EMFit(posteriors, emission, class_priors, iteration)
