"""Sending relayed batches from the worker, so a labeler never waits on the chain: the batch API
records a signed batch as pending and asks the batch worker (apps/labeling/consumers.BatchSender)
to send it. Every step is a conditional UPDATE, so two workers, a message delivered twice or a
worker killed half-way never send a batch twice at once nor lose one:

- send: claim the pending batch (`sending_since`, counted in `send_attempts`; not while the same
  worker has an earlier batch unsent: the contract takes its nonces only upwards), run its call on the
  latest state (a contract refusal fails it at once: its slots go back), send it with the gas of the
  batch's worst case (apps/chain/gas.py), mark it submitted. A claim older than
  LABELING_SEND_CLAIM_SECONDS is a crashed worker's: the sweep takes it over.
- check: a submitted relayed batch whose transaction reverted, or that the node no longer knows
  (dropped) after LABELING_RECEIPT_WAIT_SECONDS, goes back to pending and is sent again with the
  same signature and nonce, up to LABELING_SEND_ATTEMPTS sends.
- expire: a batch still pending, or submitted with a transaction the node does not know, after
  LABELING_BATCH_EXPIRY_SECONDS fails and gives its item slots back (a wallet batch whose page never
  reported its hash, a relayed one the chain never took).
A transaction that lands after all is confirmed by its event (apps/labeling/confirmation.py).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from apps.chain.client import TxState, get_web3, relayer_account, simulate, submit, transaction_info
from apps.chain.errors import NODE_ERRORS, TransactionFailed
from apps.jobs.kinds import kind_for
from apps.labeling.models import LabelBatch
from apps.labeling.scheduling import schedule_send
from apps.labeling.services import fail_batch, mark_submitted

logger = logging.getLogger(__name__)

Status = LabelBatch.Status
RELAYED = LabelBatch.Mode.RELAYED


def _earlier_unsent():
    """A pending relayed batch of the same worker and job with a lower nonce: the contract takes a
    worker's nonces only upwards, so a later batch landing first would make the earlier one stale."""
    return LabelBatch.objects.filter(
        job_id=OuterRef("job_id"),
        worker_id=OuterRef("worker_id"),
        mode=RELAYED,
        status=Status.PENDING,
        nonce__lt=OuterRef("nonce"),
    )


def _claim(*, batch_id: int) -> bool:
    now = timezone.now()
    stale = now - timedelta(seconds=settings.LABELING_SEND_CLAIM_SECONDS)
    return bool(
        LabelBatch.objects.filter(pk=batch_id, mode=RELAYED, status=Status.PENDING)
        .filter(Q(sending_since__isnull=True) | Q(sending_since__lt=stale))
        .filter(~Exists(_earlier_unsent()))
        .update(sending_since=now, send_attempts=F("send_attempts") + 1)
    )


def _schedule_next(*, batch: LabelBatch) -> None:
    """The worker's next batch, which waited for this one to be sent."""
    following = (
        LabelBatch.objects.filter(
            job_id=batch.job_id, worker_id=batch.worker_id, mode=RELAYED, status=Status.PENDING, nonce__gt=batch.nonce
        )
        .order_by("nonce")
        .values_list("pk", flat=True)
        .first()
    )
    if following is not None:
        schedule_send(batch_id=following)


def send_batch(*, batch_id: int) -> LabelBatch | None:
    """Send one pending relayed batch unless another worker holds it; None when it was not ours to
    send. The node being away leaves it pending (claim released) for the next sweep."""
    if not _claim(batch_id=batch_id):
        return None
    batch = LabelBatch.objects.select_related("job", "worker").get(pk=batch_id)
    if batch.send_attempts > settings.LABELING_SEND_ATTEMPTS:
        return fail_batch(batch=batch, reason=f"The chain did not take the batch in {batch.send_attempts - 1} sends.")
    relay = kind_for(batch.job).relay_call(batch=batch)
    relayer = relayer_account()
    try:
        simulate(relay.call, sender=relayer.address)
        tx_hash = submit(relay.call, sender=relayer, gas=relay.gas).to_0x_hex()
    except TransactionFailed as error:
        return fail_batch(batch=batch, reason=f"The chain refused the batch: {error.reason}")
    except NODE_ERRORS:
        logger.warning("batch %s: the node is unreachable; it stays pending", batch_id, exc_info=True)
        LabelBatch.objects.filter(pk=batch_id, status=Status.PENDING).update(sending_since=None)
        return batch
    LabelBatch.objects.filter(pk=batch_id).update(sending_since=None, sent_at=timezone.now())
    submitted = mark_submitted(batch=batch, tx_hash=tx_hash)
    _schedule_next(batch=batch)
    return submitted


def check_sent(*, batch: LabelBatch) -> None:
    """Send again a relayed batch whose transaction reverted or was dropped; an expired batch with
    a transaction the node does not know fails."""
    info = transaction_info(get_web3(), batch.tx_hash)
    if info.state in (TxState.WAITING, TxState.MINED):
        return
    if batch.mode == RELAYED:
        logger.warning("batch %s: transaction %s %s; sending again", batch.pk, batch.tx_hash, info.state)
        LabelBatch.objects.filter(pk=batch.pk, status=Status.SUBMITTED, tx_hash=batch.tx_hash).update(
            status=Status.PENDING, sending_since=None
        )
        schedule_send(batch_id=batch.pk)
    elif info.state == TxState.REVERTED:
        fail_batch(batch=batch, reason="The batch's transaction reverted on chain.")
    elif batch.created_at < timezone.now() - timedelta(seconds=settings.LABELING_BATCH_EXPIRY_SECONDS):
        fail_batch(batch=batch, reason="The chain does not know the batch's transaction.")


def sweep_batches() -> int:
    """The batch worker's periodic catch-up: send pending relayed batches nobody holds (a lost
    message, a crashed worker), check transactions sent a while ago, expire what never made it.
    Returns how many batches it moved."""
    now = timezone.now()
    moved = 0
    expired = now - timedelta(seconds=settings.LABELING_BATCH_EXPIRY_SECONDS)
    for batch in LabelBatch.objects.filter(status=Status.PENDING, created_at__lt=expired).select_related("worker"):
        moved += (
            fail_batch(batch=batch, reason="The batch was never sent to the chain; its items were released.").status
            == Status.FAILED
        )
    stale = now - timedelta(seconds=settings.LABELING_SEND_CLAIM_SECONDS)
    unclaimed = LabelBatch.objects.filter(mode=RELAYED, status=Status.PENDING).filter(
        Q(sending_since__isnull=True) | Q(sending_since__lt=stale)
    )
    for batch_id in unclaimed.order_by("pk").values_list("pk", flat=True):
        moved += send_batch(batch_id=batch_id) is not None
    waited = now - timedelta(seconds=settings.LABELING_RECEIPT_WAIT_SECONDS)
    sent = LabelBatch.objects.filter(status=Status.SUBMITTED).filter(
        Q(sent_at__lt=waited) | Q(sent_at__isnull=True, created_at__lt=waited)
    )
    for batch in sent.exclude(tx_hash="").order_by("pk"):
        check_sent(batch=batch)
    return moved
