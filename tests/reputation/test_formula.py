"""Reputation is a smoothed accuracy (gold counted twice); voting power is its bounded log-odds."""

import pytest

from apps.reputation.formula import MAX_WEIGHT, reputation_score, voting_weight


def test_a_newcomer_is_neutral_and_votes_with_weight_one():
    score = reputation_score(gold_answered=0, gold_score=0, truth_answered=0, truth_agreed=0)
    assert score == 0.5 and voting_weight(score) == 1


def test_gold_counts_twice_as_much_as_agreement():
    gold = reputation_score(gold_answered=10, gold_score=10, truth_answered=10, truth_agreed=0)
    agreement = reputation_score(gold_answered=10, gold_score=0, truth_answered=10, truth_agreed=10)
    assert gold == pytest.approx(21 / 32) and agreement == pytest.approx(11 / 32)


@pytest.mark.parametrize(
    ("score", "weight"),
    [(0.0, 1), (0.3, 1), (0.5, 1), (0.6, 2), (0.8, 8), (0.9, 13), (0.95, 16), (0.999, 16), (1.0, 16)],
)
def test_weight_is_bounded_log_odds(score, weight):
    assert voting_weight(score) == weight


def test_weight_never_decreases_with_reputation():
    weights = [voting_weight(k / 1000) for k in range(1001)]
    assert weights == sorted(weights) and min(weights) == 1 and max(weights) == MAX_WEIGHT
