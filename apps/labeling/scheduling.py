"""Asking the batch worker (apps/labeling/consumers.BatchSender, apps/labeling/sending.py) to send a
recorded relayed batch: what the batch and box APIs do once the batch is stored."""

from __future__ import annotations

from apps.lib.live import Channel, send_on_commit

BATCH_CHANNEL = "crowdal-batches"


def schedule_send(*, batch_id: int) -> None:
    """Ask the batch worker to send the batch once the current transaction commits."""
    send_on_commit(Channel(BATCH_CHANNEL), {"type": "labeling.send", "batch_id": batch_id})
