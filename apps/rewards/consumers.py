"""The settlement Channels worker (`manage.py runworker crowdal-settlement`, or in-process under serve)."""
from __future__ import annotations

import logging

from channels.consumer import AsyncConsumer
from channels.db import database_sync_to_async

from apps.rewards.services import settle_job

logger = logging.getLogger(__name__)


class SettlementWorker(AsyncConsumer):
    async def rewards_settle(self, message: dict) -> None:
        try:
            await database_sync_to_async(settle_job)(job_id=message["job_id"])
        except Exception:  # settle_job resumes where it stopped when it is asked again
            logger.exception("settling job %s failed", message["job_id"])
