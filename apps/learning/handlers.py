"""Chain-event handlers that wake the learner. They only schedule: a retrain takes seconds and must
not hold the event's transaction, so the message goes out after commit to LEARNER_CHANNEL, where
`retrain_if_due` coalesces the triggers."""
from __future__ import annotations

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from apps.chain.models import ChainEvent

LEARNER_CHANNEL = "crowdal-learner"


def send_retrain(instance: str) -> None:
    # The job is looked up by its instance address when the message is handled: the handler that
    # marks the job live may run after this one in the same transaction.
    message = {"type": "learning.retrain", "instance": instance}
    transaction.on_commit(lambda: async_to_sync(get_channel_layer().send)(LEARNER_CHANNEL, message))


def schedule_retrain(event: ChainEvent) -> None:
    """LabelsSubmitted or BoxesSubmitted, emitted by the job's instance."""
    send_retrain(event.address)


def schedule_cold_start(event: ChainEvent) -> None:
    """JobCreated: rank the fresh job's pool before any label arrives."""
    send_retrain(event.args["instance"])
