"""The indexer -> worker hand-off, and the handlers apps register per event name.

After each commit the indexer sends {"type": "chain.events", "event_ids": [...]} to WORKER_CHANNEL;
the worker (apps.chain.consumers.ChainWorker) runs, for each event, the handlers registered for its
name and those registered for ANY_EVENT. Handlers run inside the transaction that marks the event
handled, so they run once per event even when a message arrives twice or two workers race; effects
outside the database (websocket pushes, mail) belong in `transaction.on_commit`. Register in your
AppConfig.ready():

    from apps.chain.handlers import register
    register("LabelsSubmitted", confirm_labels)

A reorganisation can orphan an event whose handlers already ran: before the indexer deletes it,
the undo handlers registered for its name run (in the indexer's transaction), so whatever the event
made true goes back to waiting for the chain. `register(name, handler, undo=revert_handler)`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence

from django.db import transaction
from django.utils import timezone

from apps.chain.models import ChainEvent
from apps.chain.selectors import unhandled_event_ids
from apps.lib.live import Channel, send_on_commit

logger = logging.getLogger(__name__)

WORKER_CHANNEL = "crowdal-worker"
ANY_EVENT = "*"

Handler = Callable[[ChainEvent], None]
_handlers: dict[str, list[Handler]] = {}
_undo_handlers: dict[str, list[Handler]] = {}


def register(event_name: str, handler: Handler, *, undo: Handler | None = None) -> None:
    """Run `handler(event)` for every event named `event_name` (ANY_EVENT: every event), and
    `undo(event)` when a reorganisation orphans such an event after its handlers ran."""
    for registry, fn in ((_handlers, handler), (_undo_handlers, undo)):
        if fn is None:
            continue
        handlers = registry.setdefault(event_name, [])
        if fn not in handlers:  # registering twice must not make it run twice
            handlers.append(fn)


def undo_orphaned(events: Iterable[ChainEvent]) -> int:
    """Called by the indexer, inside its rollback transaction, for events a reorganisation orphaned;
    returns how many handled events were undone (unhandled ones never had an effect)."""
    undone = 0
    for event in events:
        if event.handled_at is None:
            continue
        for undo in _undo_handlers.get(event.name, ()):
            undo(event)
        undone += 1
    return undone


def hand_off(event_ids: Sequence[int]) -> None:
    """Tell the worker about committed events."""
    if event_ids:
        send_on_commit(Channel(WORKER_CHANNEL), {"type": "chain.events", "event_ids": list(event_ids)})


def handle_event(event_id: int) -> bool:
    """Run the event's handlers unless that happened already; True when they ran now."""
    with transaction.atomic():
        # The conditional UPDATE is the claim: of two deliveries only one matches the row (on
        # PostgreSQL the second waits for the first to commit and then finds handled_at set), and a
        # handler that raises rolls the claim back, so the event stays pending.
        if not ChainEvent.objects.filter(pk=event_id, handled_at__isnull=True).update(handled_at=timezone.now()):
            return False
        event = ChainEvent.objects.get(pk=event_id)
        for handler in (*_handlers.get(event.name, ()), *_handlers.get(ANY_EVENT, ())):
            handler(event)
    return True


def handle_events(event_ids: Iterable[int]) -> int:
    """Handle each event in its own transaction; returns how many ran now. A failing event is logged
    and stays pending for the worker's next sweep instead of blocking the ones after it."""
    handled = 0
    for event_id in event_ids:
        try:
            handled += handle_event(event_id)
        except Exception:
            logger.exception("handlers of chain event %s failed; it stays pending", event_id)
    return handled


def handle_pending(*, limit: int = 1000) -> int:
    """Handle events nobody handled yet: after a worker died half-way, or a hand-off got lost."""
    return handle_events(unhandled_event_ids(limit=limit))
