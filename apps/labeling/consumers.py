"""ws/labeling/: a signed-in labeler's batch updates (sent, confirmed on chain, or failed), live; and
the batch worker that sends relayed batches."""

from __future__ import annotations

import asyncio
import logging

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings

from apps.labeling.sending import send_batch, sweep_batches
from apps.labeling.services import worker_group
from apps.lib.sweeping import SweepingConsumer

logger = logging.getLogger(__name__)


class LabelingConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        self.group = worker_group(user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def labeling_update(self, message: dict) -> None:
        await self.send_json({key: value for key, value in message.items() if key != "type"})


class BatchSender(SweepingConsumer):
    """Sends relayed batches (`manage.py runworker crowdal-batches`, or in-process under serve): each
    "labeling.send" message as it comes, and a sweep at start and every LABELING_SEND_SWEEP_SECONDS
    for what a lost message or a killed worker left (apps/labeling/sending.py)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.sending = asyncio.Semaphore(settings.LABELING_SEND_CONCURRENCY)

    def sweep(self) -> int:
        return sweep_batches()

    def sweep_seconds(self) -> float:
        return settings.LABELING_SEND_SWEEP_SECONDS

    async def labeling_send(self, message: dict) -> None:
        """Up to LABELING_SEND_CONCURRENCY sends at once, each on a thread of its own: a send waits on
        the node (its eth_call, the nonce, the submission), and one after another they fall behind a
        crowd. The relayer's nonce lock keeps their transactions in order."""
        await self.sending.acquire()
        task = asyncio.ensure_future(
            database_sync_to_async(send_batch, thread_sensitive=False)(batch_id=message["batch_id"])
        )
        task.add_done_callback(self._sent)

    def _sent(self, task: asyncio.Task) -> None:
        self.sending.release()
        if not task.cancelled() and task.exception() is not None:  # the sweep sends it again
            logger.error("sending a batch failed", exc_info=task.exception())
