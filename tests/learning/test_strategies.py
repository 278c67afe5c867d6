"""Strategies on constructed pools whose most uncertain item is known by construction."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from apps.learning.engine import cold_start, rank_pool, train
from apps.learning.strategies import STRATEGIES

UNCERTAINTY_STRATEGIES = sorted(set(STRATEGIES) - {"random"})


@pytest.fixture
def model():
    # Two classes on a line, boundary at x = 0; a weak regulariser keeps probabilities sharp.
    X = np.array([[-3.0], [-2.0], [2.0], [3.0]])
    return train(X_labeled=X, y_labeled=[0, 0, 1, 1], classes=[0, 1], estimator=LogisticRegression(C=100))


# The middle item sits on the boundary and is also the farthest from every labeled item, so it is
# the most uncertain item however a strategy trades uncertainty against diversity.
POOL = np.array([[-1.5], [-0.9], [0.0], [0.9], [1.5]])


@pytest.mark.parametrize("strategy", UNCERTAINTY_STRATEGIES)
@pytest.mark.parametrize("batch_size", [1, 3])
def test_each_strategy_ranks_the_most_uncertain_item_first(model, strategy, batch_size):
    ranking = rank_pool(model=model, X_pool=POOL, strategy=strategy, batch_size=batch_size, random_state=0)
    assert ranking.indices[0] == 2
    assert sorted(ranking.indices.tolist()) == list(range(len(POOL)))
    assert ranking.scores.shape == ranking.indices.shape


def test_uncertainty_rankings_are_sorted_by_score(model):
    for strategy in ("least_confident", "margin", "entropy"):
        scores = rank_pool(model=model, X_pool=POOL, strategy=strategy).scores
        assert np.all(np.diff(scores) <= 0)


def test_random_ranking_is_a_seeded_permutation(model):
    first = rank_pool(model=model, X_pool=POOL, strategy="random", random_state=1)
    again = rank_pool(model=model, X_pool=POOL, strategy="random", random_state=1)
    assert np.array_equal(first.indices, again.indices)
    assert sorted(first.indices.tolist()) == list(range(len(POOL)))


def test_ranking_excludes_already_labeled_items(model):
    ranking = rank_pool(model=model, X_pool=POOL, strategy="margin", exclude=[2, 4])
    assert sorted(ranking.indices.tolist()) == [0, 1, 3]
    # Indices still point into the full pool, not into the remaining rows.
    assert ranking.indices[0] in (1, 3)
    assert rank_pool(model=model, X_pool=POOL, exclude=range(len(POOL))).indices.size == 0


def test_unknown_strategy_is_rejected(model):
    with pytest.raises(ValueError, match="unknown strategy 'best'"):
        rank_pool(model=model, X_pool=POOL, strategy="best")


def near_duplicate_pool() -> tuple[np.ndarray, np.ndarray]:
    """Three tight clumps of 10 near-identical items near the boundary (the one at x = 0 nearest of
    all), plus easy items far from it."""
    rng = np.random.default_rng(0)
    centres = np.array([[0.0, -4.0], [0.2, 0.0], [-0.4, 4.0]])
    clumps = np.repeat(centres, 10, axis=0) + rng.normal(scale=0.01, size=(30, 2))
    easy = np.column_stack([rng.choice([-3.0, 3.0], size=30), rng.uniform(-4, 4, size=30)])
    return np.vstack([clumps, easy]), np.repeat(np.arange(3), 10)


def test_batch_diverse_strategy_does_not_return_near_duplicates():
    X_labeled = np.array([[-2.0, -4.0], [-2.0, 4.0], [2.0, -4.0], [2.0, 4.0]])
    model = train(X_labeled=X_labeled, y_labeled=[0, 0, 1, 1], classes=[0, 1])
    pool, clump_of = near_duplicate_pool()
    ranking = rank_pool(model=model, X_pool=pool, strategy="diverse_margin", batch_size=3, random_state=0)
    batch = ranking.top(3)
    assert all(index < 30 for index in batch), "the batch should stay on the uncertain boundary"
    assert sorted(clump_of[batch].tolist()) == [0, 1, 2], "one item per clump, not three twins"
    # Plain margin sampling is the contrast: its top three are twins from a single clump.
    twins = rank_pool(model=model, X_pool=pool, strategy="margin").top(3)
    assert len(set(clump_of[twins].tolist())) == 1


def test_cold_start_picks_one_representative_per_clump():
    pool, clump_of = near_duplicate_pool()
    ranking = cold_start(X_pool=pool[:30], batch_size=3, random_state=0)
    assert sorted(clump_of[ranking.top(3)].tolist()) == [0, 1, 2]
    assert sorted(ranking.indices.tolist()) == list(range(30))
