"""Who may take a job's work beyond passing its qualification: gates that other apps plug in (the
gamification app's minimum tier). A gate answers None when the job is open to the worker, or a Lock
saying why not; serving, batches, qualification and the job board all ask through `lock_for`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from apps.jobs.models import Job


class Lock(Protocol):
    code: str  # a short name of what it takes (the tier: "gold"), for pages and scripts
    summary: str  # what the job board shows
    refusal: str  # what the API answers when it refuses work


Gate = Callable[..., Lock | None]  # gate(job=, worker=)
_gates: list[Gate] = []


def register_gate(gate: Gate) -> None:
    """Ask `gate(job=, worker=)` before a worker takes a job's work; registering twice is a no-op."""
    if gate not in _gates:
        _gates.append(gate)


def lock_for(*, job: Job, worker) -> Lock | None:
    """The first gate's lock on the job for the worker, or None when every gate lets it in."""
    for gate in _gates:
        if lock := gate(job=job, worker=worker):
            return lock
    return None
