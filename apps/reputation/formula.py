"""Reputation and voting power (docs/reputation.md). Pure functions.

    reputation = (GOLD_WEIGHT * gold_score + truth_agreed + 1) / (GOLD_WEIGHT * gold_answered + truth_answered + 2)

a Laplace-smoothed accuracy (a newcomer starts at 1/2) in which a gold answer counts GOLD_WEIGHT
times an agreement with the inferred truth: gold is known, while agreement with aggregated truth
is noisier and can be bought by colluding with other labelers.

    weight = clamp(round(WEIGHT_SCALE * log2(reputation / (1 - reputation))), 1, MAX_WEIGHT)

the log-odds of being right, the optimal weight of a vote in a weighted majority when errors are
symmetric, scaled to whole numbers and bounded to 1..16 so it fits the contract's 16-bit weight and
no single labeler outvotes a crowd: 1/2 or below → 1, 0.8 → 8, 0.9 → 13, 0.95 or above → 16.
"""

from __future__ import annotations

import math

GOLD_WEIGHT = 2
WEIGHT_SCALE = 4
MAX_WEIGHT = 16


def reputation_score(*, gold_answered: int, gold_score: float, truth_answered: int, truth_agreed: int) -> float:
    return (GOLD_WEIGHT * gold_score + truth_agreed + 1) / (GOLD_WEIGHT * gold_answered + truth_answered + 2)


def voting_weight(score: float) -> int:
    if score <= 0.5:
        return 1
    if score >= 1:
        return MAX_WEIGHT
    return max(1, min(MAX_WEIGHT, round(WEIGHT_SCALE * math.log2(score / (1 - score)))))
