"""A Channels worker consumer that also sweeps on a timer. Channels starts a worker's consumer with
the first message on its channel; from then on `sweep` runs at once and every `sweep_seconds`, so a
lost message or a worker killed half-way delays work but never drops it."""

from __future__ import annotations

import asyncio
import logging

from channels.consumer import AsyncConsumer
from channels.db import database_sync_to_async

logger = logging.getLogger(__name__)


class SweepingConsumer(AsyncConsumer):
    def sweep(self) -> object:
        """Synchronous, idempotent catch-up work (runs in the database thread)."""
        raise NotImplementedError

    def sweep_seconds(self) -> float:
        raise NotImplementedError

    async def __call__(self, scope, receive, send):
        sweeper = asyncio.create_task(self._sweep_forever())
        try:
            await super().__call__(scope, receive, send)
        finally:
            sweeper.cancel()

    async def _sweep_forever(self) -> None:
        while True:
            try:
                await database_sync_to_async(self.sweep)()
            except Exception:  # the database or chain may be briefly away; the next sweep retries
                logger.exception("%s: sweep failed", type(self).__name__)
            await asyncio.sleep(self.sweep_seconds())
