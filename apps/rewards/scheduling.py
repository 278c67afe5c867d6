"""Asking the settlement worker (apps/rewards/consumers.py) to settle a job: what stopping a job, the
requester's settle button and a review that unblocks a held settlement all do."""

from __future__ import annotations

from apps.lib.live import Channel, send_on_commit

SETTLEMENT_CHANNEL = "crowdal-settlement"


def schedule_settlement(job_id: int) -> None:
    """Ask the settlement worker to settle the job once the current transaction commits."""
    send_on_commit(Channel(SETTLEMENT_CHANNEL), {"type": "rewards.settle", "job_id": job_id})
