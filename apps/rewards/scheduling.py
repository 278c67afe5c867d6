"""Asking the settlement worker (apps/rewards/consumers.py) to settle a job: what stopping a job, the
requester's settle button and a review that unblocks a held settlement all do."""
from __future__ import annotations

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

SETTLEMENT_CHANNEL = "crowdal-settlement"


def schedule_settlement(job_id: int) -> None:
    """Ask the settlement worker to settle the job once the current transaction commits."""
    message = {"type": "rewards.settle", "job_id": job_id}
    transaction.on_commit(lambda: async_to_sync(get_channel_layer().send)(SETTLEMENT_CHANNEL, message))
