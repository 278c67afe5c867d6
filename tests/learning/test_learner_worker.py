"""The learner's Channels worker behind the ASGI router: duplicate messages retrain once."""

import asyncio
import contextlib

from asgiref.sync import async_to_sync
from asgiref.testing import ApplicationCommunicator
from channels.db import database_sync_to_async

from apps.learning.handlers import LEARNER_CHANNEL
from apps.learning.models import ModelVersion
from crowdal_site.asgi import application
from tests.learning.test_retrain_service import INSTANCE, label_truthfully, sentiment_job, workers


def test_duplicate_retrain_messages_train_one_version(transactional_db, settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    job = sentiment_job()
    label_truthfully(job, workers(2), [*range(12), *range(30, 40)])

    async def run() -> None:
        worker = ApplicationCommunicator(application, {"type": "channel", "channel": LEARNER_CHANNEL})
        for _ in range(3):
            await worker.send_input({"type": "learning.retrain", "instance": INSTANCE})
        versions = database_sync_to_async(ModelVersion.objects.filter(job=job).count)
        for _ in range(200):
            await asyncio.sleep(0.05)
            if await versions() and worker.input_queue.empty():
                break
        await asyncio.sleep(0.5)  # time for the duplicates, handled after the first, to retrain if they would
        worker.stop()
        with contextlib.suppress(asyncio.CancelledError):
            await worker.future

    async_to_sync(run)()
    assert ModelVersion.objects.filter(job=job).count() == 1
