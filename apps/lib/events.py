"""Domain events: a fact one app makes true, announced to the apps that react to it.

Each event is a frozen dataclass defined in the app that owns the fact (labels confirmed in
`apps.labeling.events`, a job stopped in `apps.jobs.events`, ...). The owner calls `emit(event)` on
every path that makes the fact true; an app that reacts calls `subscribe(EventType, handler)` once,
in its AppConfig.ready(). The owner thus never imports the apps that react.

Handlers run synchronously, inside the emitter's transaction, so a handler's writes commit or roll
back with the fact. They run in subscription order, but each must be correct in any order: a
handler sees the fact already written and nothing else another handler did. Effects outside the
database (pushes, worker messages) go through `transaction.on_commit` (apps.lib.live does).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar


@dataclass(frozen=True)
class Event:
    """Base of every domain event: subclass it as a frozen dataclass of plain values (ids, not rows)."""


E = TypeVar("E", bound=Event)

_subscribers: dict[type[Event], list[Callable]] = {}


def subscribe(event_type: type[E], handler: Callable[[E], None]) -> None:
    """Run `handler(event)` on every emitted event of exactly `event_type`; subscribing the same
    handler twice is a no-op (ready() may run more than once in tests)."""
    if not (isinstance(event_type, type) and issubclass(event_type, Event)):
        raise TypeError(f"{event_type!r} is not an Event subclass")
    handlers = _subscribers.setdefault(event_type, [])
    if handler not in handlers:
        handlers.append(handler)


def emit(event: Event) -> None:
    """Run the event's subscribers now, in the caller's transaction. A handler that raises aborts
    the emit and the caller's transaction with it: the fact and its consequences stay together."""
    for handler in tuple(_subscribers.get(type(event), ())):
        handler(event)


def subscribers(event_type: type[Event]) -> tuple[Callable, ...]:
    """Who reacts to `event_type` (for the architecture test and docs)."""
    return tuple(_subscribers.get(event_type, ()))
