"""ws/jobs/<id>/: only the job's requester connects; pushes reach it, throttled; the places that
change a job's numbers schedule a push once they commit."""

import time

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser

from apps.chain import handlers
from apps.chain.models import ChainEvent
from apps.cockpit import consumers
from apps.cockpit.consumers import dashboard_group, push_dashboard, push_for_event
from apps.jobs.events import JobWentLive
from apps.jobs.services import stop_job
from apps.labeling.events import LabelsConfirmed, LabelsUnconfirmed, VoteKind
from apps.learning.events import ModelVersionCreated
from apps.lib import live
from apps.lib.events import emit
from crowdal_site.asgi import websocket_urlpatterns
from tests.factories import make_job, make_labels, make_user
from tests.test_worker import layer  # noqa: F401  (fixture: in-memory and channels-redis)

INSTANCE = "0x" + "ab" * 20
PUSH_SECONDS = 0.5


@pytest.fixture
def live_job(requester):
    return make_job(requester=requester.user, num_items=4, status="live", instance_address=INSTANCE)


def socket_for(user, job_id: int) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(URLRouter(websocket_urlpatterns), f"/ws/jobs/{job_id}/")
    communicator.scope["user"] = user
    return communicator


def test_only_the_requester_connects(transactional_db, live_job, requester, stranger):
    async def scenario():
        refused = (False, 4403)
        for user, expected in [(requester.user, (True, None)), (stranger.user, refused), (AnonymousUser(), refused)]:
            socket = socket_for(user, live_job.pk)
            assert await socket.connect() == expected
            await socket.disconnect()
        assert await socket_for(requester.user, live_job.pk + 1000).connect() == refused  # no such job

    async_to_sync(scenario)()


def test_a_push_brings_fresh_numbers_throttled(transactional_db, layer, live_job, requester, monkeypatch):
    monkeypatch.setattr(consumers, "DASHBOARD_PUSH_SECONDS", PUSH_SECONDS)
    worker = make_user("0x" + "cd" * 20)

    async def scenario():
        socket = socket_for(requester.user, live_job.pk)
        assert (await socket.connect())[0]
        await database_sync_to_async(make_labels)(job=live_job, worker=worker, labels={0: 1, 1: 2})
        await database_sync_to_async(push_dashboard)(job_id=live_job.pk)
        first = await socket.receive_json_from(timeout=2)
        first_at = time.monotonic()
        assert (first["job"], first["labels_confirmed"], first["status"]) == (live_job.pk, 2, "live")

        # A burst inside the throttle window: one more push, after the window, with the last numbers.
        await database_sync_to_async(make_labels)(job=live_job, worker=worker, labels={2: 0})
        for _ in range(5):
            await database_sync_to_async(push_dashboard)(job_id=live_job.pk)
        second = await socket.receive_json_from(timeout=2)
        assert time.monotonic() - first_at >= PUSH_SECONDS * 0.8
        assert second["labels_confirmed"] == 3
        assert await socket.receive_nothing(timeout=PUSH_SECONDS * 2)
        await socket.disconnect()

    async_to_sync(scenario)()


@pytest.fixture
def pushed(monkeypatch, live_job) -> list[int]:
    """Job ids of the dashboard pushes delivered (the send after commit replaced by a recorder)."""
    calls: list[int] = []

    def record(to, message):
        if to == live.Group(dashboard_group(live_job.pk)) and message == {"type": "dashboard.changed"}:
            calls.append(live_job.pk)

    monkeypatch.setattr(live, "deliver", record)
    return calls


def event(name: str, **fields) -> ChainEvent:
    return ChainEvent(chain_id=31337, block_number=1, block_hash="0x", tx_hash="0x", log_index=0, name=name, **fields)


@pytest.mark.parametrize("name", ["PayoutRootPosted", "Refunded"])
def test_chain_events_of_a_job_push_on_commit(name, live_job, pushed, django_capture_on_commit_callbacks):
    assert push_for_event in handlers._handlers[name]
    with django_capture_on_commit_callbacks(execute=True):
        push_for_event(event(name, address=INSTANCE, args={}))
        assert pushed == []  # not before the commit
    assert pushed == [live_job.pk]


def test_a_job_going_live_pushes_on_commit(live_job, pushed, django_capture_on_commit_callbacks):
    """JobCreated makes the job live (apps.jobs.services.on_job_created), which announces JobWentLive."""
    with django_capture_on_commit_callbacks(execute=True):
        emit(JobWentLive(job_id=live_job.pk))
        assert pushed == []  # not before the commit
    assert pushed == [live_job.pk]


@pytest.mark.parametrize("kind", list(VoteKind))
@pytest.mark.parametrize("fact", [LabelsConfirmed, LabelsUnconfirmed])
def test_labels_of_every_kind_confirmed_or_undone_push_on_commit(
    fact, kind, live_job, pushed, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        emit(fact(job_id=live_job.pk, worker_ids=(), kind=kind))
        assert pushed == []  # not before the commit
    assert pushed == [live_job.pk]


def test_events_of_unknown_instances_push_nothing(live_job, pushed, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        push_for_event(event("LabelsSubmitted", address="0x" + "77" * 20, args={}))
    assert pushed == []


def test_a_stored_model_version_and_a_stop_push(live_job, requester, pushed, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        emit(ModelVersionCreated(job_id=live_job.pk, version=1))
    with django_capture_on_commit_callbacks(execute=True):
        stop_job(job=live_job, by=requester.user)
    assert pushed == [live_job.pk, live_job.pk]
