"""Chain-event handlers of anonymous job mode (registered in AnonymityConfig.ready). Decoded
uint256 values beyond JSON's safe integers arrive as decimal strings, hence the int()s."""

from __future__ import annotations

from apps.anonymity import services
from apps.chain.models import ChainEvent


def record_members(event: ChainEvent) -> None:
    services.record_members(
        job_address=event.args["job"],
        start_index=int(event.args["startIndex"]),
        commitments=[int(c) for c in event.args["commitments"]],
    )


def confirm_label(event: ChainEvent) -> None:
    """As LabelsSubmitted does for wallet labels (the service announces LabelsConfirmed)."""
    services.confirm_label(
        job_address=event.args["job"],
        item_index=int(event.args["itemId"]),
        label=int(event.args["label"]),
        nullifier=int(event.args["nullifier"]),
        tx_hash=event.tx_hash,
        block_number=event.block_number,
    )


def unconfirm_label(event: ChainEvent) -> None:
    """Undo of confirm_label when a reorganisation orphans the event."""
    services.unconfirm_label(
        job_address=event.args["job"], nullifier=int(event.args["nullifier"]), tx_hash=event.tx_hash
    )
