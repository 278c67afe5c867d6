"""Writes: a settled job's evidence about its labelers and their reputation per domain, announced as
ReputationChanged (the labeling app posts the new voting weights to the domain's live jobs)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Protocol

import numpy as np
from django.db import transaction
from django.db.models import Sum

from apps.jobs.kinds import kind_for
from apps.jobs.models import Job
from apps.lib.events import emit
from apps.reputation.events import ReputationChanged
from apps.reputation.formula import reputation_score, voting_weight
from apps.reputation.models import JobEvidence, Reputation


class SettledLabels(Protocol):
    """A settled job's labels as parallel arrays (apps.quality.selectors.JobLabels is one)."""

    @property
    def worker_ids(self) -> Sequence[int]: ...
    @property
    def workers(self) -> np.ndarray: ...  # per label: position in worker_ids
    @property
    def items(self) -> np.ndarray: ...  # per label: item index
    @property
    def labels(self) -> np.ndarray: ...  # per label: class index
    @property
    def gold(self) -> Mapping[int, int]: ...  # item index -> gold class


def record_settlement_evidence(*, job: Job, labels: SettledLabels, truth: Sequence[int]) -> list[int]:
    """Record, once per job, each labeler's gold score and agreement with the final truth, and
    update their reputation in the job's domain (announced as ReputationChanged). Returns the ids
    of the workers whose reputation changed."""
    final = np.asarray(truth, dtype=np.int64)
    on_gold = np.isin(labels.items, np.fromiter(labels.gold, dtype=np.int64, count=len(labels.gold)))
    evidence = []
    for w, worker_id in enumerate(labels.worker_ids):
        mine = labels.workers == w
        gold_labels = labels.labels[mine & on_gold]
        gold_truth = final[labels.items[mine & on_gold]]
        agreed = labels.labels[mine & ~on_gold] == final[labels.items[mine & ~on_gold]]
        evidence.append(
            JobEvidence(
                job=job,
                worker_id=worker_id,
                domain=job.domain,
                gold_answered=len(gold_labels),
                gold_score=sum(
                    kind_for(job).score_against_gold(answer=int(a), gold=int(g))
                    for a, g in zip(gold_labels, gold_truth)
                ),
                truth_answered=len(agreed),
                truth_agreed=int(agreed.sum()),
            )
        )
    with transaction.atomic():
        if JobEvidence.objects.filter(job=job).exists():
            return []
        JobEvidence.objects.bulk_create(evidence)
        refresh_reputation(worker_ids=labels.worker_ids, domain=job.domain)
        emit(ReputationChanged(domain=job.domain, worker_ids=tuple(labels.worker_ids)))
    return list(labels.worker_ids)


def refresh_reputation(*, worker_ids: Iterable[int], domain: str) -> None:
    """Recompute the workers' reputation in the domain from all its recorded evidence."""
    sums = (
        JobEvidence.objects.filter(worker_id__in=list(worker_ids), domain=domain)
        .values("worker_id")
        .annotate(ga=Sum("gold_answered"), gs=Sum("gold_score"), ta=Sum("truth_answered"), tg=Sum("truth_agreed"))
    )
    for row in sums:
        counts = {
            "gold_answered": row["ga"],
            "gold_score": row["gs"],
            "truth_answered": row["ta"],
            "truth_agreed": row["tg"],
        }
        score = reputation_score(**counts)
        derived = {"score": score, "weight": voting_weight(score)}
        Reputation.objects.update_or_create(worker_id=row["worker_id"], domain=domain, defaults={**counts, **derived})
