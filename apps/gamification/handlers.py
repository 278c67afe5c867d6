"""What the gamification app reacts to (wired in GamificationConfig.ready)."""
from __future__ import annotations

from apps.chain.models import ChainEvent
from apps.gamification.services import refresh_many
from apps.labeling.events import LabelsConfirmed, LabelsUnconfirmed
from apps.labeling.models import Label


def refresh_labeler(event: LabelsConfirmed | LabelsUnconfirmed) -> None:
    """The labelers' labels were just confirmed (or, undone, are pending again); anonymous labels
    name nobody and score nobody."""
    refresh_many(worker_ids=event.worker_ids)


def refresh_job_labelers(event: ChainEvent) -> None:
    """PayoutRootPosted: the job's truth is final, so agreement with it now scores."""
    labels = Label.objects.filter(job__instance_address__iexact=event.address, status=Label.Status.CONFIRMED)
    refresh_many(worker_ids=labels.values_list("worker_id", flat=True).distinct())
