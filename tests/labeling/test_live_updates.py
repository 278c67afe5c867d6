"""ws/labeling/: a signed-in labeler hears about its own batches, and only its own."""

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser

from apps.labeling.consumers import LabelingConsumer
from apps.labeling.models import LabelBatch
from apps.labeling.services import fail_batch
from tests.factories import make_user
from tests.labeling.conftest import make_db_job


def socket_for(user) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(LabelingConsumer.as_asgi(), "/ws/labeling/")
    communicator.scope["user"] = user
    return communicator


def test_batch_updates_reach_their_labeler(transactional_db, settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    job = make_db_job(requester=make_user("0x" + "11" * 20), num_items=2, gold={})
    alice, bob = make_user("0x" + "aa" * 20), make_user("0x" + "bb" * 20)
    batch = LabelBatch.objects.create(job=job, worker=alice, mode="wallet", packed="0x00000010")

    async def scenario():
        mine, theirs = socket_for(alice), socket_for(bob)
        assert (await mine.connect())[0] and (await theirs.connect())[0]
        await database_sync_to_async(fail_batch)(batch=batch, reason="rejected in the wallet")
        update = await mine.receive_json_from(timeout=2)
        assert update == {"batch": batch.pk, "status": "failed", "error": "rejected in the wallet"}
        assert await theirs.receive_nothing(timeout=0.2)
        await mine.disconnect()
        await theirs.disconnect()

    async_to_sync(scenario)()


@pytest.mark.django_db
def test_anonymous_sockets_are_closed():
    async def scenario():
        connected, code = await socket_for(AnonymousUser()).connect()
        assert not connected and code == 4401

    async_to_sync(scenario)()
