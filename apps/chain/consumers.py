"""Channels consumers of the chain app: the background worker that runs event handlers, and the
websocket that shows chain activity live."""
from __future__ import annotations

import asyncio
import logging

from asgiref.sync import async_to_sync
from channels.consumer import AsyncConsumer
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import transaction

from apps.chain.handlers import handle_events, handle_pending
from apps.chain.models import ChainEvent
from apps.chain.selectors import activity

logger = logging.getLogger(__name__)

CHAIN_ACTIVITY_GROUP = "chain-activity"


class ChainWorker(AsyncConsumer):
    """Listens on the worker channel (`manage.py runworker crowdal-worker`, or in-process under
    `manage.py serve`). Besides the indexer's messages it sweeps pending events when it starts and
    every CHAIN_WORKER_SWEEP_SECONDS, so a worker killed half-way, or a lost message, delays an event
    but never drops it. (Channels starts the consumer with the first message on its channel.)"""

    async def __call__(self, scope, receive, send):
        sweeper = asyncio.create_task(self._sweep_forever())
        try:
            await super().__call__(scope, receive, send)
        finally:
            sweeper.cancel()

    async def _sweep_forever(self) -> None:
        while True:
            try:
                await database_sync_to_async(handle_pending)()
            except Exception:  # the database may be briefly away; the next sweep retries
                logger.exception("sweeping pending chain events failed")
            await asyncio.sleep(settings.CHAIN_WORKER_SWEEP_SECONDS)

    async def chain_events(self, message: dict) -> None:
        await database_sync_to_async(handle_events)(message["event_ids"])


def push_chain_activity(event: ChainEvent) -> None:
    """Handler for every event: browsers on ws/chain/ see it once its handling has committed."""
    message = {"type": "chain.activity", "event": activity(event)}
    transaction.on_commit(lambda: async_to_sync(get_channel_layer().group_send)(CHAIN_ACTIVITY_GROUP, message))


class ChainActivityConsumer(AsyncJsonWebsocketConsumer):
    """ws/chain/: every handled chain event, live. Chain data is public, so no sign-in is needed."""

    groups = [CHAIN_ACTIVITY_GROUP]

    async def chain_activity(self, message: dict) -> None:
        await self.send_json(message["event"])
