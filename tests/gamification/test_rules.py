"""Badge and tier boundaries, on the rules alone."""

from datetime import date, timedelta

import pytest

from apps.gamification.models import Badge, Tier
from apps.gamification.rules import Stats, badges_for, longest_streak, tier_for

K = Badge.Kind


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        (0, set()),
        (1, {K.FIRST_LABEL}),
        (99, {K.FIRST_LABEL}),
        (100, {K.FIRST_LABEL, K.LABELS_100}),
        (999, {K.FIRST_LABEL, K.LABELS_100}),
        (1000, {K.FIRST_LABEL, K.LABELS_100, K.LABELS_1000}),
    ],
)
def test_label_count_badges(labels, expected):
    assert badges_for(Stats(labels=labels)) == expected


@pytest.mark.parametrize(
    ("answers", "correct", "earned"),
    [(20, 19, True), (20, 18, False), (19, 19, False), (40, 38, True), (40, 37, False), (100, 95, True)],
)
def test_sharp_eye_takes_95_percent_over_at_least_20_gold(answers, correct, earned):
    stats = Stats(labels=answers, gold_answers=answers, gold_correct=correct)
    assert (K.SHARP_EYE in badges_for(stats)) is earned


@pytest.mark.parametrize(
    ("streak", "badges"), [(6, set()), (7, {K.STREAK_7}), (29, {K.STREAK_7}), (30, {K.STREAK_7, K.STREAK_30})]
)
def test_streak_badges(streak, badges):
    assert badges_for(Stats(best_streak=streak)) == badges


def test_longest_streak_counts_consecutive_days_only():
    start = date(2026, 1, 1)
    days = [start + timedelta(days=n) for n in (0, 1, 2, 4, 5, 6, 7, 8, 9)] + [start]  # a gap at 3, a repeat
    assert longest_streak(days) == 6
    assert longest_streak([]) == 0


@pytest.mark.parametrize(
    ("labels", "agreeing", "gold", "gold_right", "tier"),
    [
        (0, 0, 0, 0, Tier.BRONZE),
        (46, 8, 10, 8, Tier.SILVER),  # 460 + 40 = 500 points, 80% over 10 gold
        (46, 7, 10, 7, Tier.BRONZE),  # 70% gold accuracy
        (49, 0, 9, 9, Tier.BRONZE),  # 9 gold answers: too few
        (190, 20, 20, 18, Tier.GOLD),  # 1900 + 100 = 2000 points, 90% over 20 gold
        (189, 20, 20, 18, Tier.SILVER),  # 1990 points
        (300, 20, 20, 17, Tier.SILVER),  # 85% is silver's bar, not gold's
    ],
)
def test_tiers(labels, agreeing, gold, gold_right, tier):
    stats = Stats(labels=labels, agreeing=agreeing, gold_answers=gold, gold_correct=gold_right)
    assert tier_for(stats) == tier
