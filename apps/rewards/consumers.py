"""The settlement Channels worker (`manage.py runworker crowdal-settlement`, or in-process under serve)."""

from __future__ import annotations

import logging

from channels.db import database_sync_to_async
from django.conf import settings

from apps.lib.sweeping import SweepingConsumer
from apps.rewards.settlement import settle_job, settle_stopped_jobs

logger = logging.getLogger(__name__)


class SettlementWorker(SweepingConsumer):
    """Settles a job when asked ("rewards.settle"), and sweeps every stopped job when it starts and
    every REWARDS_SETTLEMENT_SWEEP_SECONDS."""

    def sweep(self) -> list[int]:
        return settle_stopped_jobs()

    def sweep_seconds(self) -> float:
        return settings.REWARDS_SETTLEMENT_SWEEP_SECONDS

    async def rewards_settle(self, message: dict) -> None:
        try:
            await database_sync_to_async(settle_job)(job_id=message["job_id"])
        except Exception:  # settle_job resumes where it stopped when it is asked again
            logger.exception("settling job %s failed", message["job_id"])
