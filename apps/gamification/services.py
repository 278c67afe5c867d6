"""Writes: the labeler's progress recomputed from its confirmed labels (idempotent by construction),
the live toast when a badge or the tier changes, and a job's minimum tier."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from apps.gamification.models import Badge, Tier, WorkerProgress
from apps.gamification.rules import badges_for, tier_for
from apps.gamification.selectors import worker_stats
from apps.jobs.models import Job
from apps.jobs.services import set_job_min_tier
from apps.labeling.services import push_to_worker


@dataclass(frozen=True)
class ProgressChange:
    points: int
    tier: str
    previous_tier: str
    earned: list[str]  # badge kinds new this time
    lost: list[str]  # badge kinds whose labels a reorganisation removed


@transaction.atomic
def refresh_progress(*, worker_id: int) -> ProgressChange:
    """Recompute the worker's points, badges and tier from its confirmed labels and tell its open
    pages what changed. Running it twice, or on a confirmation delivered twice, changes nothing."""
    worker = get_user_model().objects.get(pk=worker_id)
    stats = worker_stats(worker=worker)
    # The row lock serialises two workers refreshing the same labeler.
    record, _ = WorkerProgress.objects.select_for_update().get_or_create(worker=worker)
    previous_tier = record.tier
    tier = tier_for(stats)
    for name in ("labels", "agreeing", "gold_answers", "gold_correct", "best_streak"):
        setattr(record, name, getattr(stats, name))
    record.points, record.tier = stats.points, tier
    record.save()

    earned_now = badges_for(stats)
    held = set(Badge.objects.filter(worker=worker).values_list("kind", flat=True))
    earned, lost = sorted(earned_now - held), sorted(held - earned_now)
    Badge.objects.bulk_create(Badge(worker=worker, kind=kind) for kind in earned)
    Badge.objects.filter(worker=worker, kind__in=lost).delete()
    change = ProgressChange(points=stats.points, tier=tier, previous_tier=previous_tier, earned=earned, lost=lost)
    if earned or lost or tier != previous_tier:
        push_to_worker(user_id=worker.pk, message={"gamification": _message(change)})
    return change


def _message(change: ProgressChange) -> dict:
    return {
        "points": change.points,
        "tier": change.tier,
        "previous_tier": change.previous_tier,
        "earned": [{"kind": kind, "name": Badge.Kind(kind).label} for kind in change.earned],
        "lost": change.lost,
    }


def refresh_many(*, worker_ids: Iterable[int]) -> None:
    for worker_id in sorted(set(worker_ids)):
        refresh_progress(worker_id=worker_id)


def set_min_tier(*, job: Job, tier: str) -> None:
    """Open the job only to labelers of `tier` or above (bronze: to everyone, stored as Job.min_tier "")."""
    if tier not in Tier.values:
        raise ValueError(f"no tier {tier!r}; use one of {', '.join(Tier.values)}")
    set_job_min_tier(job=job, min_tier="" if tier == Tier.BRONZE else tier)
