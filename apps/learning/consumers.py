"""The learner's Channels worker (`manage.py runworker crowdal-learner`, or in-process under serve)."""

from __future__ import annotations

import logging

from channels.consumer import AsyncConsumer
from channels.db import database_sync_to_async

from apps.jobs.models import Job
from apps.learning.services import retrain_if_due

logger = logging.getLogger(__name__)


def retrain_instance(instance: str) -> int:
    job_id = Job.objects.filter(instance_address__iexact=instance).values_list("pk", flat=True).first()
    return 0 if job_id is None else retrain_if_due(job_id=job_id)


class LearnerWorker(AsyncConsumer):
    async def learning_retrain(self, message: dict) -> None:
        try:
            await database_sync_to_async(retrain_instance)(message["instance"])
        except Exception:  # the next trigger retrains from the database state
            logger.exception("retraining the job at %s failed", message["instance"])
