"""What wakes the learner: confirmed labels (a domain event) and a new job (a chain event). They only
schedule: a retrain takes seconds and must not hold the caller's transaction, so the message goes out
after commit to LEARNER_CHANNEL, where `retrain_if_due` coalesces the triggers."""

from __future__ import annotations

from apps.chain.models import ChainEvent
from apps.jobs.models import Job
from apps.labeling.events import LabelsConfirmed
from apps.lib.live import Channel, send_on_commit

LEARNER_CHANNEL = "crowdal-learner"


def send_retrain(instance: str) -> None:
    # The job is looked up by its instance address when the message is handled: the handler that
    # marks the job live may run after this one in the same transaction.
    send_on_commit(Channel(LEARNER_CHANNEL), {"type": "learning.retrain", "instance": instance})


def schedule_retrain(event: LabelsConfirmed) -> None:
    """Labels of any kind confirmed (box jobs rank by agreement, no model, but rank all the same)."""
    instance = Job.objects.filter(pk=event.job_id).values_list("instance_address", flat=True).first()
    if instance:
        send_retrain(instance)


def schedule_cold_start(event: ChainEvent) -> None:
    """JobCreated: rank the fresh job's pool before any label arrives."""
    send_retrain(event.args["instance"])
