"""Facts of the learning app, announced with apps.lib.events."""

from __future__ import annotations

from dataclasses import dataclass

from apps.lib.events import Event


@dataclass(frozen=True)
class ModelVersionCreated(Event):
    """A retrain stored a new model version of the job (its held-out accuracy may stop the job)."""

    job_id: int
    version: int
