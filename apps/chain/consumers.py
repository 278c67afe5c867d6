"""Channels consumers of the chain app: the background worker that runs event handlers, and the
websocket that shows chain activity live."""

from __future__ import annotations

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings

from apps.chain.handlers import handle_events, handle_pending
from apps.chain.models import ChainEvent
from apps.chain.selectors import activity
from apps.lib.live import Group, send_on_commit
from apps.lib.sweeping import SweepingConsumer

CHAIN_ACTIVITY_GROUP = "chain-activity"


class ChainWorker(SweepingConsumer):
    """Listens on the worker channel (`manage.py runworker crowdal-worker`, or in-process under
    `manage.py serve`). Besides the indexer's messages it sweeps pending events when it starts and
    every CHAIN_WORKER_SWEEP_SECONDS, so a worker killed half-way, or a lost message, delays an event
    but never drops it."""

    def sweep(self) -> int:
        return handle_pending()

    def sweep_seconds(self) -> float:
        return settings.CHAIN_WORKER_SWEEP_SECONDS

    async def chain_events(self, message: dict) -> None:
        await database_sync_to_async(handle_events)(message["event_ids"])


def push_chain_activity(event: ChainEvent) -> None:
    """Handler for every event: browsers on ws/chain/ see it once its handling has committed."""
    send_on_commit(Group(CHAIN_ACTIVITY_GROUP), {"type": "chain.activity", "event": activity(event)})


class ChainActivityConsumer(AsyncJsonWebsocketConsumer):
    """ws/chain/: every handled chain event, live. Chain data is public, so no sign-in is needed."""

    groups = [CHAIN_ACTIVITY_GROUP]

    async def chain_activity(self, message: dict) -> None:
        await self.send_json(message["event"])
