"""Chain-event handlers of the gamification app (registered in GamificationConfig.ready)."""
from __future__ import annotations

from django.contrib.auth import get_user_model

from apps.chain.models import ChainEvent
from apps.gamification.services import refresh_many, refresh_progress
from apps.labeling.models import Label


def refresh_labeler(event: ChainEvent) -> None:
    """LabelsSubmitted: the labeler's labels were just confirmed (or, undone, are pending again)."""
    worker = get_user_model().objects.filter(address__iexact=event.args["worker"])
    worker_id = worker.values_list("pk", flat=True).first()
    if worker_id is not None:
        refresh_progress(worker_id=worker_id)


def refresh_job_labelers(event: ChainEvent) -> None:
    """PayoutRootPosted: the job's truth is final, so agreement with it now scores."""
    labels = Label.objects.filter(job__instance_address__iexact=event.address, status=Label.Status.CONFIRMED)
    refresh_many(worker_ids=labels.values_list("worker_id", flat=True).distinct())
