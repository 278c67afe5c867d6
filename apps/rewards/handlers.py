"""What the rewards app reacts to: confirmed labels and new model versions (the stopping rules), a
stopped job (its settlement), and the chain's Claimed and Refunded events."""
from __future__ import annotations

from django.db import transaction

from apps.chain.models import ChainEvent
from apps.jobs.events import JobStopped
from apps.labeling.events import LabelsConfirmed
from apps.learning.events import ModelVersionCreated
from apps.rewards import services


def check_budget_spent(event: LabelsConfirmed) -> None:
    """After commit, so a failing stop never rolls back the confirmation it follows."""
    transaction.on_commit(lambda: services.stop_if_rule_met(job_id=event.job_id))


def check_target_accuracy(event: ModelVersionCreated) -> None:
    services.stop_if_rule_met(job_id=event.job_id)


def settle_stopped(event: JobStopped) -> None:
    services.schedule_settlement(event.job_id)


def mark_claimed(event: ChainEvent) -> None:
    services.mark_claimed(instance=event.address, index=int(event.args["index"]), tx_hash=event.tx_hash)


def unmark_claimed(event: ChainEvent) -> None:
    services.unmark_claimed(instance=event.address, index=int(event.args["index"]), tx_hash=event.tx_hash)


def mark_refunded(event: ChainEvent) -> None:
    services.mark_refunded(instance=event.address)
