"""Facts of the reputation app, announced with apps.lib.events."""

from __future__ import annotations

from dataclasses import dataclass

from apps.lib.events import Event


@dataclass(frozen=True)
class ReputationChanged(Event):
    """The workers' reputation (and so their voting weight) in the domain was recomputed."""

    domain: str
    worker_ids: tuple[int, ...]
