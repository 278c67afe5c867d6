"""Behavioural agreement with crowd-kit, the reference implementation, on a simulated crowd.

The two implementations differ in details (smoothing, stopping rule), so the comparison is of
behaviour — the labels chosen and the confusions learnt — within a small tolerance."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from apps.quality.aggregation import aggregate
from tests.quality.crowds import accurate, always_first, panel, uniform_spammer

crowdkit = pytest.importorskip("crowdkit.aggregation")

N_CLASSES = 4


@pytest.fixture(scope="module")
def crowd():
    workers = [accurate(0.9), accurate(0.8), accurate(0.7), accurate(0.5), uniform_spammer, always_first]
    return panel(workers, n_items=300, n_classes=N_CLASSES, seed=11)


def frame(crowd) -> pd.DataFrame:
    return pd.DataFrame({"task": crowd.items, "worker": crowd.workers, "label": crowd.labels})


def crowdkit_fit(crowd, gold: dict[int, int] | None = None):
    # crowd-kit stops at the first iteration whose loss does not improve by `tol`, which here
    # happens after 3-4 iterations, far from convergence: run it a fixed 50 instead (ours converges
    # in ~35 on this crowd).
    model = crowdkit.DawidSkene(n_iter=50, tol=-np.inf)
    true_labels = None if gold is None else pd.Series(gold)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pandas deprecation chatter inside crowd-kit
        model.fit(frame(crowd), true_labels)
    return model


def confusion_from(model, n_workers: int) -> np.ndarray:
    """crowd-kit's errors_ ((worker, given) x true) as our (worker, true, given) array."""
    errors = model.errors_.reindex(columns=range(N_CLASSES), fill_value=0.0)
    full = np.zeros((n_workers, N_CLASSES, N_CLASSES))
    for (worker, given), row in errors.iterrows():
        full[worker, :, given] = row.to_numpy()
    return full


@pytest.mark.parametrize(("method", "gold_items"), [("dawid_skene", 0), ("gold_dawid_skene", 30)])
def test_our_dawid_skene_behaves_like_crowdkits(crowd, method, gold_items):
    gold = crowd.gold(np.arange(gold_items)) if gold_items else None
    ours = aggregate(method, gold=gold, **crowd.records())
    reference = crowdkit_fit(crowd, gold)
    reference_labels = reference.labels_.reindex(range(crowd.truth.size)).to_numpy()

    assert np.mean(ours.labels == reference_labels) >= 0.99
    reference_probabilities = reference.probas_.reindex(index=range(crowd.truth.size), columns=range(N_CLASSES))
    assert np.mean(np.abs(ours.probabilities - reference_probabilities.to_numpy())) < 0.01
    assert np.max(np.abs(ours.confusion - confusion_from(reference, n_workers=6))) < 0.02
    # Both are as accurate as each other against the truth.
    assert abs(np.mean(ours.labels == crowd.truth) - np.mean(reference_labels == crowd.truth)) <= 0.01
