"""The indexer -> worker hand-off, the worker's handlers, and the chain-activity websocket."""

from __future__ import annotations

import asyncio
import contextlib
import uuid

import pytest
from asgiref.sync import async_to_sync
from asgiref.testing import ApplicationCommunicator
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator

from apps.chain import consumers, handlers
from apps.chain.handlers import ANY_EVENT, WORKER_CHANNEL, handle_events, handle_pending, register
from apps.chain.indexer import index_once
from apps.chain.models import ChainEvent
from apps.chain.selectors import latest_events
from crowdal_site.asgi import application
from tests.chain.indexer_support import deploy_watched_token, mint

WORKER_SCOPE = {"type": "channel", "channel": WORKER_CHANNEL}
SAME_ORIGIN = [(b"origin", b"http://localhost")]


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.services)])
def layer(request, settings):
    """A fresh channel layer per test: in-memory, or channels-redis on the machine's Redis."""
    if request.param == "memory":
        settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    else:
        hosts = [request.getfixturevalue("redis_url")]
        prefix = f"crowdal-test-{uuid.uuid4().hex}"  # no clash with a server using the same Redis
        backend = "channels_redis.core.RedisChannelLayer"
        settings.CHANNEL_LAYERS = {"default": {"BACKEND": backend, "CONFIG": {"hosts": hosts, "prefix": prefix}}}
    return get_channel_layer()


@pytest.fixture
def ran(monkeypatch) -> list[int]:
    """Replaces the registered handlers by one recording, per run, the id of each Transfer event."""
    calls: list[int] = []
    monkeypatch.setattr(handlers, "_handlers", {})
    register("Transfer", lambda event: calls.append(event.pk))
    return calls


@pytest.fixture
def no_sweep(monkeypatch):
    """Only messages deliver events to the worker."""
    monkeypatch.setattr(consumers, "handle_pending", lambda **options: 0)


def make_event(number: int, name: str = "Transfer") -> ChainEvent:
    return ChainEvent.objects.create(
        chain_id=31337,
        block_number=number,
        block_hash=f"0x{number:064x}",
        tx_hash=f"0x{number:064x}",
        log_index=0,
        address="0x" + "11" * 20,
        contract="CrowdToken",
        name=name,
        args={"value": number},
    )


def pending_ids() -> list[int]:
    return list(ChainEvent.objects.filter(handled_at__isnull=True).order_by("pk").values_list("pk", flat=True))


async def until(condition, timeout: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await database_sync_to_async(condition)():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.02)


async def stop(communicator: ApplicationCommunicator) -> None:
    communicator.stop()
    with contextlib.suppress(asyncio.CancelledError):
        await communicator.future


def test_each_event_runs_its_handlers_once_however_often_it_is_delivered(db, ran):
    everything = []
    register(ANY_EVENT, lambda event: everything.append(event.name))
    transfer, approval = make_event(1), make_event(2, name="Approval")

    assert handle_events([transfer.pk, transfer.pk, approval.pk]) == 2
    assert handle_events([transfer.pk, approval.pk]) == 0

    assert ran == [transfer.pk]
    assert everything == ["Transfer", "Approval"]
    assert pending_ids() == []


def test_a_failing_handler_leaves_its_event_pending_and_the_others_go_on(db, ran):
    failing, fine = make_event(1), make_event(2)
    register("Transfer", lambda event: 1 / (event.pk != failing.pk))

    assert handle_events([failing.pk, fine.pk]) == 1
    assert pending_ids() == [failing.pk]
    assert ran == [failing.pk, fine.pk]  # the failed run's writes were rolled back with its claim

    handlers._handlers["Transfer"].pop()  # the bug is fixed
    assert handle_pending() == 1
    assert pending_ids() == []


@pytest.mark.parametrize("layer", ["memory"], indirect=True)
def test_a_message_delivered_twice_runs_the_handlers_once(transactional_db, layer, ran, no_sweep):
    first, second = make_event(1), make_event(2)

    async def scenario():
        worker = ApplicationCommunicator(application, WORKER_SCOPE)
        for event_ids in ([first.pk], [first.pk], [second.pk]):
            await worker.send_input({"type": "chain.events", "event_ids": event_ids})
        await until(lambda: not pending_ids())  # a worker handles its messages in order
        await stop(worker)

    async_to_sync(scenario)()

    assert ran == [first.pk, second.pk]


class WorkerKilled(BaseException):
    """Ends the worker the way SIGKILL would: nothing of it runs afterwards, not even error handling."""


@pytest.mark.parametrize("layer", ["memory"], indirect=True)
def test_events_a_killed_worker_left_are_handled_by_the_next_worker_when_it_starts(
    transactional_db, layer, ran, no_sweep, monkeypatch
):
    events = [make_event(number) for number in (1, 2, 3)]

    def killed_on_the_second_event(event):
        if event == events[1]:
            raise WorkerKilled

    register("Transfer", killed_on_the_second_event)

    async def first_worker():
        worker = ApplicationCommunicator(application, WORKER_SCOPE)
        await worker.send_input({"type": "chain.events", "event_ids": [event.pk for event in events]})
        with pytest.raises(WorkerKilled):
            await worker.wait(timeout=5)

    async_to_sync(first_worker)()
    assert pending_ids() == [events[1].pk, events[2].pk]

    handlers._handlers["Transfer"].remove(killed_on_the_second_event)
    monkeypatch.setattr(consumers, "handle_pending", handle_pending)

    async def next_worker():
        worker = ApplicationCommunicator(application, WORKER_SCOPE)
        await worker.receive_nothing()  # started, and no message sent
        await until(lambda: not pending_ids())
        await stop(worker)

    async_to_sync(next_worker)()
    assert ran == [events[0].pk, events[1].pk, events[1].pk, events[2].pk]  # the killed run was rolled back


def test_indexed_events_reach_the_websocket_through_the_worker(transactional_db, layer, w3, settings):
    settings.CHAIN_CONFIRMATIONS = 0
    token = deploy_watched_token(w3, initial_supply=0)
    block = mint(token, w3.eth.accounts[1], 7)

    async def scenario():
        browser = WebsocketCommunicator(application, "/ws/chain/", headers=SAME_ORIGIN)
        assert (await browser.connect())[0]
        worker = ApplicationCommunicator(application, WORKER_SCOPE)
        await database_sync_to_async(index_once)(w3=w3)
        # what `runworker crowdal-worker` does: take the hand-off from the layer, give it to the worker
        await worker.send_input(await layer.receive(WORKER_CHANNEL))
        pushed = [await browser.receive_json_from(timeout=5) for _ in range(2)]
        assert await browser.receive_nothing(timeout=0.3)  # once each, though the start-up sweep ran too
        await browser.disconnect()
        await stop(worker)
        await layer.flush()
        return pushed

    pushed = async_to_sync(scenario)()

    assert [message["event"] for message in pushed] == ["OwnershipTransferred", "Transfer"]
    assert pushed[1] == {
        "event": "Transfer",
        "address": token.address,
        "block": block,
        "tx": ChainEvent.objects.get(block_number=block).tx_hash,
        "args": {"from": "0x" + "00" * 20, "to": w3.eth.accounts[1], "value": 7},
    }
    assert pushed[::-1] == latest_events(limit=2)  # the page's first render has the same shape
    assert not pending_ids()


@pytest.mark.parametrize("layer", ["memory"], indirect=True)
def test_the_websocket_refuses_pages_of_other_origins(layer):
    async def scenario():
        browser = WebsocketCommunicator(application, "/ws/chain/", headers=[(b"origin", b"http://evil.example")])
        connected, _ = await browser.connect()
        return connected

    assert async_to_sync(scenario)() is False
