"""Chain-event handlers of anonymous job mode (registered in AnonymityConfig.ready). Decoded
uint256 values beyond JSON's safe integers arrive as decimal strings, hence the int()s."""
from __future__ import annotations

from django.db import transaction

from apps.anonymity import services
from apps.chain.models import ChainEvent
from apps.jobs.consumers import push_dashboard_on_commit
from apps.learning.handlers import send_retrain
from apps.rewards.settlement import stop_if_rule_met


def record_members(event: ChainEvent) -> None:
    services.record_members(
        job_address=event.args["job"],
        start_index=int(event.args["startIndex"]),
        commitments=[int(c) for c in event.args["commitments"]],
    )


def confirm_label(event: ChainEvent) -> None:
    """As LabelsSubmitted does for wallet labels: confirm, then wake the learner, the budget rule and
    the requester's dashboard."""
    job_id = services.confirm_label(
        job_address=event.args["job"],
        item_index=int(event.args["itemId"]),
        label=int(event.args["label"]),
        nullifier=int(event.args["nullifier"]),
        tx_hash=event.tx_hash,
        block_number=event.block_number,
    )
    if job_id is not None:
        send_retrain(event.args["job"])
        push_dashboard_on_commit(job_id=job_id)
        transaction.on_commit(lambda: stop_if_rule_met(job_id=job_id))
