"""Reads: a labeler's stats from its confirmed labels, its progress, the leaderboard, and whether a
job's minimum tier locks a labeler out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import connection
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from apps.gamification.models import Badge, Tier, WorkerProgress
from apps.gamification.rules import (
    POINTS_PER_AGREEING_LABEL,
    POINTS_PER_LABEL,
    Stats,
    longest_streak,
    tier_rank,
    tier_rule,
)
from apps.jobs.models import Job
from apps.labeling.models import Label, LabelBatch
from apps.lib.text import short_address
from apps.rewards.models import Settlement

# Labels given from a wallet. Any other mode (an anonymous one, say) is never credited to a wallet.
COUNTED_MODES = (LabelBatch.Mode.WALLET, LabelBatch.Mode.RELAYED)
# Whether a label agrees with its item's gold answer or final truth is scored once the job is
# settled, and not before: earlier, points or gold counters rising after a label would tell which
# items are honeypots. Until then a label is worth POINTS_PER_LABEL whatever the item.
SETTLED = Q(job__settlement__step=Settlement.Step.DONE)
GOLD = Q(item__is_gold=True) & SETTLED
GOLD_RIGHT = GOLD & Q(item__gold_answer__label_index=F("label_index"))
AGREEING = GOLD_RIGHT | (Q(item__is_gold=False, item__aggregate__label=F("label_index")) & SETTLED)
SCORE = {
    "labels": Count("pk"),
    "agreeing": Count("pk", filter=AGREEING),
    "gold_answers": Count("pk", filter=GOLD),
    "gold_correct": Count("pk", filter=GOLD_RIGHT),
}


def counted_labels() -> QuerySet[Label]:
    return Label.objects.filter(status=Label.Status.CONFIRMED, batch__mode__in=COUNTED_MODES)


def worker_stats(*, worker) -> Stats:
    labels = counted_labels().filter(worker=worker)
    counts = labels.aggregate(**SCORE)
    days = [moment.date() for moment in labels.datetimes("created_at", "day")]
    return Stats(**counts, best_streak=longest_streak(days))


@dataclass(frozen=True)
class TierLock:
    """A job's minimum tier keeps the worker out (an apps.labeling.gates Lock)."""

    required: str
    needs: str  # what reaching it takes

    @property
    def code(self) -> str:
        return self.required

    @property
    def summary(self) -> str:
        return f"Locked: {self.required.capitalize()} tier and above ({self.needs})"

    @property
    def refusal(self) -> str:
        return f"This job is open to {self.required} tier and above: it takes {self.needs}."


def tier_lock(*, job: Job, worker) -> TierLock | None:
    """None when the worker's tier opens the job; else what it lacks. A job open to all (the common
    case) costs no query: its min_tier came with the job row."""
    if not job.min_tier:
        return None
    # Raw: next-items (the hot path) asks on every call for a tiered job; no row = bronze.
    with connection.cursor() as cursor:
        cursor.execute("SELECT tier FROM gamification_workerprogress WHERE worker_id = %s", [worker.pk])
        row = cursor.fetchone()
    tier = (row[0] if row else None) or Tier.BRONZE
    if tier_rank(tier) >= tier_rank(job.min_tier):
        return None
    rule = tier_rule(job.min_tier)
    return TierLock(required=job.min_tier, needs=rule.describe() if rule else "")


def progress(*, worker) -> dict:
    """The labeler's points, tier, badges, and what the next tier takes."""
    record = WorkerProgress.objects.filter(worker=worker).first() or WorkerProgress(worker=worker)
    next_rank = tier_rank(record.tier) + 1
    next_rule = tier_rule(Tier.values[next_rank]) if next_rank < len(Tier.values) else None
    badges = Badge.objects.filter(worker=worker).order_by("earned_at", "kind")
    return {
        "points": record.points,
        "labels": record.labels,
        "agreeing": record.agreeing,
        "gold_answers": record.gold_answers,
        "gold_correct": record.gold_correct,
        "best_streak": record.best_streak,
        "tier": record.tier,
        "next_tier": next_rule.tier if next_rule else None,
        "next_tier_needs": next_rule.describe() if next_rule else "",
        "badges": [{"kind": b.kind, "name": b.get_kind_display(), "earned_at": b.earned_at} for b in badges],
    }


def leaderboard(*, weekly: bool, limit: int = 50) -> list[dict]:
    """Workers by points (all time, or from labels given in the last 7 days), ties by who got there
    first (lower user id); addresses shortened."""
    labels = counted_labels()
    if weekly:
        labels = labels.filter(created_at__gte=timezone.now() - timedelta(days=7))
    rows: list[dict[str, Any]] = [
        dict(row)  # with the annotated counts, which the values() type does not name
        for row in labels.values("worker_id", "worker__address")
        .annotate(**SCORE)
        .annotate(points=POINTS_PER_LABEL * F("labels") + POINTS_PER_AGREEING_LABEL * F("agreeing"))
        .order_by("-points", "worker_id")[:limit]
    ]
    ranked = WorkerProgress.objects.filter(worker_id__in=[row["worker_id"] for row in rows])
    tiers = dict(ranked.values_list("worker_id", "tier"))
    return [
        {
            "rank": rank,
            "worker": short_address(row["worker__address"]),
            "points": row["points"],
            "labels": row["labels"],
            "tier": tiers.get(row["worker_id"], Tier.BRONZE),
        }
        for rank, row in enumerate(rows, start=1)
    ]
