"""Facts of the jobs app, announced with apps.lib.events."""

from __future__ import annotations

from dataclasses import dataclass

from apps.lib.events import Event


@dataclass(frozen=True)
class JobStopped(Event):
    """A live job stopped taking labels (by its requester or a stopping rule); it is to be settled."""

    job_id: int


@dataclass(frozen=True)
class JobWentLive(Event):
    """The job's escrow was created on chain (JobCreated indexed): labelers can work."""

    job_id: int
