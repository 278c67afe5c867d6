"""Live pushes: a message to a Channels group (every open page of a labeler or of a dashboard) or to
one channel (a worker), sent once the current transaction has committed, so that whoever reacts
reads the committed state. Outside a transaction it goes at once."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction


@dataclass(frozen=True)
class Group:
    """A Channels group: every consumer that joined it gets the message."""

    name: str


@dataclass(frozen=True)
class Channel:
    """One Channels channel: one consumer (a worker) gets the message."""

    name: str


Destination = Group | Channel


def send_on_commit(to: Destination, message: Mapping[str, object]) -> None:
    """Send `message` (its "type" names the consumer method, as Channels wants) to `to` after commit."""
    if not isinstance(message.get("type"), str) or not message["type"]:
        raise ValueError(f"a live message needs a 'type': {dict(message)!r}")
    payload = dict(message)  # frozen now: a caller changing its dict later does not change what is sent
    transaction.on_commit(lambda: deliver(to, payload))


def deliver(to: Destination, message: dict) -> None:
    """Send now (what send_on_commit runs after the commit)."""
    layer = get_channel_layer()
    if isinstance(to, Group):
        async_to_sync(layer.group_send)(to.name, message)
    elif isinstance(to, Channel):
        async_to_sync(layer.send)(to.name, message)
    else:
        raise TypeError(f"send to a Group or a Channel, not {to!r}")
