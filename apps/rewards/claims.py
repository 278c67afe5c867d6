"""Bookkeeping of claims: an indexed Claimed event marks the payout claimed (and tells the labeler's
open pages); a reorganisation that orphans it makes the payout claimable again. A Refunded event is
the job's status (apps.jobs.services.mark_job_refunded)."""

from __future__ import annotations

from django.utils import timezone

from apps.labeling.services import push_to_worker
from apps.rewards.models import Payout


def mark_claimed(*, instance: str, index: int, tx_hash: str) -> int:
    """Record an indexed Claimed event and tell the labeler's open pages (their rewards panel)."""
    unclaimed = Payout.objects.filter(job__instance_address__iexact=instance, index=index, claimed_at__isnull=True)
    worker_ids = list(unclaimed.values_list("worker_id", flat=True))
    marked = unclaimed.update(claimed_at=timezone.now(), claim_tx=tx_hash)
    for worker_id in worker_ids:
        push_to_worker(user_id=worker_id, message={"claimed": index, "tx_hash": tx_hash})
    return marked


def unmark_claimed(*, instance: str, index: int, tx_hash: str) -> int:
    """A reorganisation orphaned the Claimed event: the payout is claimable again until the claim
    lands on the new branch."""
    return Payout.objects.filter(job__instance_address__iexact=instance, index=index, claim_tx=tx_hash).update(
        claimed_at=None, claim_tx=""
    )
