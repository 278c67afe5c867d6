"""What the rewards app reacts to: confirmed labels and new model versions (the stopping rules), a
stopped job (its settlement), and the chain's Claimed and Refunded events."""

from __future__ import annotations

from django.db import transaction

from apps.chain.models import ChainEvent
from apps.jobs.events import JobStopped
from apps.jobs.services import mark_job_refunded
from apps.labeling.events import LabelsConfirmed
from apps.learning.events import ModelVersionCreated
from apps.rewards import claims, scheduling, settlement


def check_budget_spent(event: LabelsConfirmed) -> None:
    """After commit, so a failing stop never rolls back the confirmation it follows."""
    transaction.on_commit(lambda: settlement.stop_if_rule_met(job_id=event.job_id))


def resume_waiting_settlement(event: LabelsConfirmed) -> None:
    settlement.resume_waiting_settlement(job_id=event.job_id)


def check_target_accuracy(event: ModelVersionCreated) -> None:
    settlement.stop_if_rule_met(job_id=event.job_id)


def settle_stopped(event: JobStopped) -> None:
    scheduling.schedule_settlement(event.job_id)


def mark_claimed(event: ChainEvent) -> None:
    claims.mark_claimed(instance=event.address, index=int(event.args["index"]), tx_hash=event.tx_hash)


def unmark_claimed(event: ChainEvent) -> None:
    claims.unmark_claimed(instance=event.address, index=int(event.args["index"]), tx_hash=event.tx_hash)


def mark_refunded(event: ChainEvent) -> None:
    mark_job_refunded(instance=event.address)
