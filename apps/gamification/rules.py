"""The rules, with no database: points, badge thresholds, tier thresholds, streaks."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from apps.gamification.models import Badge, Tier

POINTS_PER_LABEL = 10
POINTS_PER_AGREEING_LABEL = 5  # on top: agreeing with the gold answer or the job's final truth
SHARP_EYE_PERCENT = 95
SHARP_EYE_MIN_GOLD = 20
TIER_ORDER = [Tier.BRONZE, Tier.SILVER, Tier.GOLD]


@dataclass(frozen=True)
class Stats:
    labels: int = 0
    agreeing: int = 0
    gold_answers: int = 0
    gold_correct: int = 0
    best_streak: int = 0

    @property
    def points(self) -> int:
        return POINTS_PER_LABEL * self.labels + POINTS_PER_AGREEING_LABEL * self.agreeing

    @property
    def gold_accuracy(self) -> float | None:
        return self.gold_correct / self.gold_answers if self.gold_answers else None


def at_least_percent(stats: Stats, percent: int) -> bool:
    """Gold accuracy >= percent, in integers: 19 of 20 is exactly 95%, not a float just below it."""
    return stats.gold_answers > 0 and 100 * stats.gold_correct >= percent * stats.gold_answers


@dataclass(frozen=True)
class TierRule:
    tier: str
    points: int
    gold_percent: int
    min_gold: int

    def met(self, stats: Stats) -> bool:
        return (
            stats.points >= self.points
            and stats.gold_answers >= self.min_gold
            and at_least_percent(stats, self.gold_percent)
        )

    def describe(self) -> str:
        return f"{self.points} points and {self.gold_percent}% gold accuracy over at least {self.min_gold} gold answers"


# Highest first; bronze needs nothing.
TIER_RULES = [TierRule(Tier.GOLD, 2000, 90, 20), TierRule(Tier.SILVER, 500, 80, 10)]

BADGE_RULES = {
    Badge.Kind.FIRST_LABEL: lambda s: s.labels >= 1,
    Badge.Kind.LABELS_100: lambda s: s.labels >= 100,
    Badge.Kind.LABELS_1000: lambda s: s.labels >= 1000,
    Badge.Kind.SHARP_EYE: lambda s: s.gold_answers >= SHARP_EYE_MIN_GOLD and at_least_percent(s, SHARP_EYE_PERCENT),
    Badge.Kind.STREAK_7: lambda s: s.best_streak >= 7,
    Badge.Kind.STREAK_30: lambda s: s.best_streak >= 30,
}


def badges_for(stats: Stats) -> set[str]:
    return {kind for kind, earned in BADGE_RULES.items() if earned(stats)}


def tier_for(stats: Stats) -> str:
    return next((rule.tier for rule in TIER_RULES if rule.met(stats)), Tier.BRONZE)


def tier_rank(tier: str) -> int:
    return TIER_ORDER.index(tier)


def tier_rule(tier: str) -> TierRule | None:
    return next((rule for rule in TIER_RULES if rule.tier == tier), None)


def longest_streak(days: Iterable[date]) -> int:
    best = run = 0
    previous = None
    for day in sorted(set(days)):
        run = run + 1 if previous is not None and day - previous == timedelta(days=1) else 1
        best = max(best, run)
        previous = day
    return best
