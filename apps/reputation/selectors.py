"""Reads: a labeler's reputation in a domain, and the voting weights of a job's labelers."""

from __future__ import annotations

from collections.abc import Iterable

from apps.jobs.models import Job
from apps.reputation.models import Reputation


def reputation_of(*, worker, domain: str) -> Reputation | None:
    return Reputation.objects.filter(worker=worker, domain=domain).first()


def weights_for(*, job: Job, worker_ids: Iterable[int]) -> dict[int, int]:
    """worker id -> voting weight in the job's domain (1 for a labeler with no reputation yet)."""
    worker_ids = list(worker_ids)
    known = dict(
        Reputation.objects.filter(domain=job.domain, worker_id__in=worker_ids).values_list("worker_id", "weight")
    )
    return {worker_id: known.get(worker_id, 1) for worker_id in worker_ids}
