"""Gold items as evidence about workers, and as a validation set for a fitted worker model.

EM can settle on a wrong fixed point when workers' errors are correlated: colluders who agree on
the same wrong class look more consistent than honest workers, and an unsupervised fit rates them
higher. Gold items expose that: a fit is scored by how well it predicts the gold classes from the
crowd's labels on those items alone, and the gold-only worker estimate is scored the same way,
leaving each gold item out of the estimate that predicts it. Both are scored with the same class
priors and only on gold items someone answered, so the comparison is between worker estimates
alone: gold items nobody answered say nothing about workers, and priors fitted on the gold items
themselves would "predict" them in-sample (a job whose gold is all one class would switch every time).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from apps.quality.crowd import Crowd, FloatArray, IntArray
from apps.quality.dawid_skene import log_normaliser, one_coin_matrix


@dataclass(frozen=True)
class GoldAnswers:
    """The records on gold items: each one's row in `crowd.gold_items`, worker and given class,
    whether it was right, and per worker how many gold answers it gave and got right."""

    rows: IntArray
    workers: IntArray
    labels: IntArray
    right: FloatArray
    answered: FloatArray
    hits: FloatArray


def gold_answers(crowd: Crowd) -> GoldAnswers:
    row_of_item = np.full(crowd.n_items, -1)
    row_of_item[crowd.gold_items] = np.arange(crowd.gold_items.size)
    rows = row_of_item[crowd.items]
    records = np.flatnonzero(rows >= 0)
    rows = rows[records]
    workers, labels = crowd.workers[records], crowd.labels[records]
    right = (labels == crowd.gold_labels[rows]).astype(np.float64)
    return GoldAnswers(
        rows=rows,
        workers=workers,
        labels=labels,
        right=right,
        answered=np.bincount(workers, minlength=crowd.n_workers).astype(np.float64),
        hits=np.bincount(workers, weights=right, minlength=crowd.n_workers).astype(np.float64),
    )


def gold_emission(crowd: Crowd, answers: GoldAnswers, *, smoothing: float) -> FloatArray:
    """One-coin emissions from the gold answers alone; a worker without any gets chance accuracy,
    so its labels carry no weight."""
    accuracy = (answers.hits + smoothing) / (answers.answered + crowd.n_classes * smoothing)
    return one_coin_matrix(accuracy, crowd.n_classes)


def _predictive_score(
    crowd: Crowd, answers: GoldAnswers, *, contributions: FloatArray, class_priors: FloatArray
) -> FloatArray:
    """Log-probability of each answered gold item's class (in `crowd.gold_items` order) given the
    per-record log-likelihood `contributions` (record, true class) of the labels on it."""
    joint = np.tile(np.log(class_priors), (crowd.gold_items.size, 1))
    np.add.at(joint, answers.rows, contributions)
    truth = joint[np.arange(crowd.gold_items.size), crowd.gold_labels]
    answered = np.unique(answers.rows)
    return (truth - log_normaliser(joint)[:, 0])[answered]


def fit_score(crowd: Crowd, answers: GoldAnswers, *, emission: FloatArray, class_priors: FloatArray) -> FloatArray:
    contributions = np.log(emission[answers.workers, answers.labels])
    return _predictive_score(crowd, answers, contributions=contributions, class_priors=class_priors)


def gold_only_score(crowd: Crowd, answers: GoldAnswers, *, smoothing: float, class_priors: FloatArray) -> FloatArray:
    """`fit_score` of the gold-only one-coin estimate, each record judged by the worker's accuracy
    on the other gold items (leave-one-out: in-sample, a worker with few gold answers looks perfect)."""
    n_classes = crowd.n_classes
    hits = answers.hits[answers.workers] - answers.right
    answered = answers.answered[answers.workers] - 1.0
    accuracy = (hits + smoothing) / (answered + n_classes * smoothing)
    wrong = (1.0 - accuracy) / max(n_classes - 1, 1)
    given = answers.labels[:, None] == np.arange(n_classes)
    contributions = np.log(np.where(given, accuracy[:, None], wrong[:, None]))
    return _predictive_score(crowd, answers, contributions=contributions, class_priors=class_priors)


def significantly_better(challenger: FloatArray, incumbent: FloatArray, *, z: float) -> bool:
    """Paired one-sided test on per-gold-item log-probabilities: does the challenger predict the gold
    classes better by more than `z` standard errors? Benign crowds score |z| < ~2 either way; a fit
    captured by colluders loses by 4 or more."""
    difference = challenger - incumbent
    if difference.size < 2:
        return False
    spread = difference.std(ddof=1)
    return bool(spread > 0 and difference.mean() > z * spread / np.sqrt(difference.size))
