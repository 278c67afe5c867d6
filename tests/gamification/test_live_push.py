"""When the indexer's LabelsSubmitted event confirms a labeler's first labels, its open pages hear
the badge (and a tier change) on ws/labeling/, right after the batch confirmation itself."""

from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from apps.chain.handlers import handle_event
from apps.chain.labels import pack_labels
from apps.chain.models import ChainEvent
from apps.gamification.models import WorkerProgress
from apps.labeling.consumers import LabelingConsumer
from apps.labeling.models import LabelBatch
from tests.factories import make_job, make_labels, make_user

INSTANCE = "0x" + "cd" * 20


def test_confirmed_labels_push_the_badge_once(transactional_db, settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    job = make_job(requester=make_user("0x" + "31" * 20), num_items=3, status="live", instance_address=INSTANCE)
    worker = make_user("0x" + "32" * 20)
    packed = "0x" + pack_labels(item_ids=[0, 1], labels=[2, 1]).hex()
    make_labels(job=job, worker=worker, labels={0: 2, 1: 1}, status="pending")
    LabelBatch.objects.filter(worker=worker).update(packed=packed, status="submitted")
    event = ChainEvent.objects.create(
        chain_id=31337,
        block_number=5,
        block_hash="0x" + "00" * 32,
        tx_hash="0x" + "77" * 32,
        log_index=0,
        address=INSTANCE,
        contract="JobInstance",
        name="LabelsSubmitted",
        args={"worker": worker.address, "labels": packed},
    )

    async def scenario():
        socket = WebsocketCommunicator(LabelingConsumer.as_asgi(), "/ws/labeling/")
        socket.scope["user"] = worker
        assert (await socket.connect())[0]
        assert await database_sync_to_async(handle_event)(event.pk)
        confirmed = await socket.receive_json_from(timeout=2)
        news = await socket.receive_json_from(timeout=2)
        assert confirmed["status"] == "confirmed"
        assert news == {
            "gamification": {
                "points": 20,
                "tier": "bronze",
                "previous_tier": "bronze",
                "earned": [{"kind": "first_label", "name": "First label"}],
                "lost": [],
            }
        }
        assert not await database_sync_to_async(handle_event)(event.pk)  # delivered twice: handled once
        assert await socket.receive_nothing(timeout=0.3)
        await socket.disconnect()

    async_to_sync(scenario)()
    assert WorkerProgress.objects.get(worker=worker).labels == 2
