"""Facts of the labeling app, announced with apps.lib.events: labels confirmed by the chain, and put
back to pending when a reorganisation orphans their event. Class votes (LabelsSubmitted), box votes
(BoxesSubmitted, apps.boxes) and anonymous labels (AnonymousLabel, apps.anonymity) emit the same
events, so whatever follows a confirmation (retrain, stopping rule, points, dashboard) is wired once."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from apps.lib.events import Event


class VoteKind(StrEnum):
    CLASS = "class"
    BOX = "box"
    ANONYMOUS = "anonymous"


@dataclass(frozen=True)
class LabelsConfirmed(Event):
    """Labels of `job_id` are confirmed on chain (already written when this is emitted). `worker_ids`
    is who gave them; empty for anonymous labels, which belong to nobody."""

    job_id: int
    worker_ids: tuple[int, ...]
    kind: VoteKind


@dataclass(frozen=True)
class LabelsUnconfirmed(Event):
    """A reorganisation orphaned the event that confirmed these labels: they are pending again
    (already written when this is emitted) until their transaction lands on the new branch."""

    job_id: int
    worker_ids: tuple[int, ...]
    kind: VoteKind
