"""Chain-event handlers of the rewards app (registered in RewardsConfig.ready)."""
from __future__ import annotations

from django.db import transaction

from apps.chain.models import ChainEvent
from apps.jobs.models import Job
from apps.jobs.services import mark_job_refunded
from apps.rewards import claims, settlement


def check_budget_spent(event: ChainEvent) -> None:
    """LabelsSubmitted: the labeling app's handler confirms the labels in this same transaction,
    maybe after this one, so the count is taken once it has committed."""
    job_id = Job.objects.filter(instance_address__iexact=event.address).values_list("pk", flat=True).first()
    if job_id is not None:
        transaction.on_commit(lambda: settlement.stop_if_rule_met(job_id=job_id))


def mark_claimed(event: ChainEvent) -> None:
    claims.mark_claimed(instance=event.address, index=int(event.args["index"]), tx_hash=event.tx_hash)


def unmark_claimed(event: ChainEvent) -> None:
    claims.unmark_claimed(instance=event.address, index=int(event.args["index"]), tx_hash=event.tx_hash)


def mark_refunded(event: ChainEvent) -> None:
    mark_job_refunded(instance=event.address)
