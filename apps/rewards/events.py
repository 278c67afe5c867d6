"""Facts of the rewards app, announced with apps.lib.events."""

from __future__ import annotations

from dataclasses import dataclass

from apps.lib.events import Event


@dataclass(frozen=True)
class SettlementSettled(Event):
    """The job's settlement is done: truth and payout root on chain, the job SETTLED, claims open."""

    job_id: int


@dataclass(frozen=True)
class SettlementProgressed(Event):
    """The job's settlement moved to `step` (a value of Settlement.Step): screened, held for review, ..."""

    job_id: int
    step: str
