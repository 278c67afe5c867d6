"""An indexed Claimed event marks the payout claimed once and tells the labeler's open pages, so the
rewards panel shows the claim done without waiting for its next refresh."""

import asyncio

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from apps.jobs.models import Job
from apps.labeling.services import worker_group
from apps.rewards.claims import mark_claimed
from apps.rewards.models import Payout
from tests.factories import make_job, make_user

pytestmark = pytest.mark.django_db

INSTANCE = "0x" + "cd" * 20


def test_claimed_event_marks_the_payout_once_and_pushes_to_the_labeler(settings, django_capture_on_commit_callbacks):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    job = make_job(
        requester=make_user("0x" + "aa" * 20), num_items=2, status=Job.Status.SETTLED, instance_address=INSTANCE
    )
    worker = make_user("0x" + "01" * 20)
    Payout.objects.create(job=job, worker=worker, index=3, amount=5 * 10**18, proof=[])
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(worker_group(worker.pk), channel)

    with django_capture_on_commit_callbacks(execute=True):
        assert mark_claimed(instance=INSTANCE.upper().replace("0X", "0x"), index=3, tx_hash="0x" + "ab" * 32) == 1

    async def receive():
        return await asyncio.wait_for(layer.receive(channel), timeout=5)

    message = async_to_sync(receive)()
    assert (message["type"], message["claimed"]) == ("labeling.update", 3)
    assert Payout.objects.get().claim_tx == "0x" + "ab" * 32

    # The same event delivered again changes nothing and pushes nothing.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert mark_claimed(instance=INSTANCE, index=3, tx_hash="0x" + "ab" * 32) == 0
    assert callbacks == []
