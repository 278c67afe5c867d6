"""Observing live pushes on a real (in-memory) channel layer: join a group as an open page does, and
read what arrived."""

from __future__ import annotations

import asyncio

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer


@pytest.fixture
def memory_layer(settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    return get_channel_layer()


def open_page(layer, group: str) -> str:
    """A channel in `group`, as an open page's consumer has."""
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(group, channel)
    return channel


def received(layer, channel: str) -> list[str]:
    """The types of the messages waiting on `channel` (taking them)."""

    async def drain() -> list[str]:
        types = []
        while True:
            try:
                types.append((await asyncio.wait_for(layer.receive(channel), timeout=0.05))["type"])
            except TimeoutError:
                return types

    return async_to_sync(drain)()
