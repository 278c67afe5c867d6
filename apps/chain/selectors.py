"""Reads of indexed chain data."""

from __future__ import annotations

from apps.chain.models import ChainEvent


def activity(event: ChainEvent) -> dict:
    """An event as the chain-activity feed shows it (the page's first render and the websocket alike)."""
    return {
        "event": event.name,
        "address": event.address,
        "block": event.block_number,
        "tx": event.tx_hash,
        "args": event.args,
    }


def latest_events(*, limit: int = 20) -> list[dict]:
    """The newest indexed events, newest first, shaped by `activity`."""
    return [activity(event) for event in ChainEvent.objects.order_by("-block_number", "-log_index")[:limit]]


def unhandled_event_ids(*, limit: int) -> list[int]:
    """Events the worker has not handled yet, in chain order."""
    pending = ChainEvent.objects.filter(handled_at__isnull=True).order_by("block_number", "log_index")
    return list(pending.values_list("pk", flat=True)[:limit])
