"""What the gamification app reacts to (wired in GamificationConfig.ready)."""

from __future__ import annotations

from apps.gamification.services import refresh_many
from apps.labeling.events import LabelsConfirmed, LabelsUnconfirmed
from apps.labeling.models import Label
from apps.rewards.events import SettlementSettled


def refresh_labeler(event: LabelsConfirmed | LabelsUnconfirmed) -> None:
    """The labelers' labels were just confirmed (or, undone, are pending again); anonymous labels
    name nobody and score nobody."""
    refresh_many(worker_ids=event.worker_ids)


def refresh_job_labelers(event: SettlementSettled) -> None:
    """The job is settled: its truth is final and its honeypots no longer matter, so agreement with
    gold and truth now scores (points, gold counters, badges, tier)."""
    labels = Label.objects.filter(job_id=event.job_id, status=Label.Status.CONFIRMED)
    refresh_many(worker_ids=labels.values_list("worker_id", flat=True).distinct())
