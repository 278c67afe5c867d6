"""Query strategies: each ranks a pool of unlabeled items, most worth labeling first.

A strategy returns a full `Ranking` (not only a batch) because the next-item service keeps serving
down the list while the crowd works and the learner retrains; the first `batch_size` entries are
the batch the strategy would pick if it could pick only that many.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, TypeAlias

import numpy as np
from modAL.batch import uncertainty_batch_sampling
from modAL.models import ActiveLearner
from modAL.uncertainty import classifier_entropy, classifier_margin, classifier_uncertainty
from scipy import sparse
from sklearn.cluster import KMeans
from sklearn.metrics import pairwise_distances

Features: TypeAlias = np.ndarray | sparse.csr_matrix

# Diverse mini-batch (Zhdanov 2019): cluster the CANDIDATES_PER_SLOT * batch_size most uncertain
# items. 5, 10 and 20 measured alike on digits; 10 keeps k-means cheap on large pools.
CANDIDATES_PER_SLOT = 10


@dataclass(frozen=True)
class Ranking:
    """`indices` into the ranked matrix, best first; `scores[i]` is the informativeness of
    `indices[i]` (higher is more informative; batch strategies reorder, so not always sorted)."""

    indices: np.ndarray
    scores: np.ndarray

    def top(self, n: int) -> np.ndarray:
        return self.indices[:n]


class Strategy(Protocol):
    def __call__(
        self, learner: ActiveLearner, X: Features, *, batch_size: int, rng: np.random.Generator
    ) -> Ranking: ...


def _by_score(scores: np.ndarray) -> Ranking:
    order = np.argsort(-scores, kind="stable")
    return Ranking(indices=order, scores=scores[order])


def _batch_then_rest(batch: np.ndarray, scores: np.ndarray) -> Ranking:
    """The batch (most informative of it first), then everything else by score."""
    batch = batch[np.argsort(-scores[batch], kind="stable")]
    order = np.argsort(-scores, kind="stable")
    indices = np.concatenate([batch, order[~np.isin(order, batch)]])
    return Ranking(indices=indices, scores=scores[indices])


def least_confident_scores(learner: ActiveLearner, X: Features) -> np.ndarray:
    return classifier_uncertainty(learner, X)


def margin_scores(learner: ActiveLearner, X: Features) -> np.ndarray:
    # modAL's margin is small when uncertain; flip it so every score is "higher is better".
    return 1.0 - classifier_margin(learner, X)


def entropy_scores(learner: ActiveLearner, X: Features) -> np.ndarray:
    return classifier_entropy(learner, X)


def _uncertainty_strategy(measure: Callable[[ActiveLearner, Features], np.ndarray]) -> Strategy:
    def rank(learner: ActiveLearner, X: Features, *, batch_size: int, rng: np.random.Generator) -> Ranking:
        return _by_score(measure(learner, X))

    return rank


def random_ranking(learner: ActiveLearner, X: Features, *, batch_size: int, rng: np.random.Generator) -> Ranking:
    """The baseline: a uniformly random order (scores are the random keys)."""
    return _by_score(np.asarray(rng.random(X.shape[0])))


def kmeans_representatives(
    X: Features, *, k: int, rng: np.random.Generator, weights: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Rows nearest to the centroids of a (weighted) k-means with `k` clusters, and every row's
    distance to its nearest centroid. Fewer than `k` rows come back when centroids share a row."""
    n_rows = X.shape[0]
    if n_rows <= k:
        return np.arange(n_rows), np.zeros(n_rows)
    seed = int(rng.integers(2**31 - 1))
    kmeans = KMeans(n_clusters=k, n_init=1, random_state=seed).fit(X, sample_weight=weights)
    distances = pairwise_distances(X, kmeans.cluster_centers_)
    representatives = np.unique(np.argmin(distances, axis=0))
    return representatives, distances.min(axis=1)


def diverse_margin(learner: ActiveLearner, X: Features, *, batch_size: int, rng: np.random.Generator) -> Ranking:
    """Margin-weighted k-means over the most uncertain candidates; one representative per cluster.

    Pure top-k margin spends a batch on near-duplicates along one stretch of the decision boundary;
    clustering spreads the batch over the uncertain regions. The item nearest each centroid stands
    for its region: picking the most uncertain item of each cluster instead measured worse on
    digits (80 labels to 95% rather than 70).
    """
    scores = margin_scores(learner, X)
    candidates = np.argsort(-scores, kind="stable")[: CANDIDATES_PER_SLOT * batch_size]
    # k-means rejects an all-zero weight vector, which a fully confident candidate set would give.
    weights = np.maximum(scores[candidates], 1e-9)
    chosen, _ = kmeans_representatives(X[candidates], k=batch_size, rng=rng, weights=weights)
    return _batch_then_rest(candidates[chosen], scores)


def ranked_batch(learner: ActiveLearner, X: Features, *, batch_size: int, rng: np.random.Generator) -> Ranking:
    """modAL's ranked batch mode (Cardoso et al. 2017): least confidence traded against distance
    to the labeled set and to the items already picked for the batch."""
    batch, _ = uncertainty_batch_sampling(learner, X, n_instances=batch_size)
    return _batch_then_rest(np.asarray(batch), least_confident_scores(learner, X))


def cold_start_ranking(X: Features, *, batch_size: int, rng: np.random.Generator) -> Ranking:
    """Before any label: the k-means representatives first, then the rest most typical first
    (scores are minus the distance to the nearest centroid). The batch spreads over the feature
    space, where a random first batch can miss a rare class entirely."""
    chosen, distances = kmeans_representatives(X, k=batch_size, rng=rng)
    return _batch_then_rest(chosen, -distances)


STRATEGIES: dict[str, Strategy] = {
    "random": random_ranking,
    "least_confident": _uncertainty_strategy(least_confident_scores),
    "margin": _uncertainty_strategy(margin_scores),
    "entropy": _uncertainty_strategy(entropy_scores),
    "ranked_batch": ranked_batch,
    "diverse_margin": diverse_margin,
}

DEFAULT_STRATEGY = "diverse_margin"
