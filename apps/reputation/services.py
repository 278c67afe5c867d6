"""Writes: a settled job's evidence about its labelers, their reputation per domain, and the voting
weights posted on chain (JobInstance.setWeights) for the labelers admitted to live jobs."""
from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence

import numpy as np
from django.db import transaction
from django.db.models import Sum

from apps.chain.client import TransactionFailed, get_web3, oracle_account, send
from apps.chain.errors import NODE_ERRORS
from apps.chain.registry import job_instance
from apps.jobs.models import Job
from apps.labeling.models import Qualification
from apps.jobs.kinds import kind_for
from apps.quality.selectors import JobLabels
from apps.reputation.formula import reputation_score, voting_weight
from apps.reputation.models import JobEvidence, Reputation
from apps.reputation.selectors import weights_for

logger = logging.getLogger(__name__)


def record_settlement_evidence(*, job: Job, labels: JobLabels, truth: Sequence[int]) -> list[int]:
    """Record, once per job, each labeler's gold score and agreement with the final truth, and
    update their reputation in the job's domain; then (after commit) post the changed voting
    weights to the domain's live jobs. Returns the ids of the workers whose reputation changed."""
    truth = np.asarray(truth, dtype=np.int64)
    on_gold = np.isin(labels.items, np.fromiter(labels.gold, dtype=np.int64, count=len(labels.gold)))
    evidence = []
    for w, worker_id in enumerate(labels.worker_ids):
        mine = labels.workers == w
        gold_labels = labels.labels[mine & on_gold]
        gold_truth = truth[labels.items[mine & on_gold]]
        agreed = labels.labels[mine & ~on_gold] == truth[labels.items[mine & ~on_gold]]
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
        transaction.on_commit(lambda: post_domain_weights(domain=job.domain, worker_ids=labels.worker_ids))
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
            "gold_answered": row["ga"], "gold_score": row["gs"], "truth_answered": row["ta"], "truth_agreed": row["tg"]
        }
        score = reputation_score(**counts)
        derived = {"score": score, "weight": voting_weight(score)}
        Reputation.objects.update_or_create(worker_id=row["worker_id"], domain=domain, defaults={**counts, **derived})


def post_weights(*, job: Job, worker_ids: Iterable[int] | None = None) -> str | None:
    """Make the job's on-chain voting weights equal the reputation weights of its admitted
    labelers (those in `worker_ids`, or all): one setWeights with the ones the chain has
    different, none when all match. Idempotent: it compares with the chain, not with a record.
    Returns the transaction hash, if one was sent."""
    if job.status != Job.Status.LIVE or not job.instance_address:
        return None
    admitted = Qualification.objects.filter(job=job, passed=True).exclude(admitted_tx="")
    if worker_ids is not None:
        admitted = admitted.filter(worker_id__in=list(worker_ids))
    addresses = dict(admitted.values_list("worker_id", "worker__address"))
    wanted = weights_for(job=job, worker_ids=addresses)
    instance = job_instance(job.instance_address, w3=get_web3())
    changed = [
        (addresses[worker_id], weight)
        for worker_id, weight in sorted(wanted.items())
        if instance.functions.weightOf(addresses[worker_id]).call() != weight
    ]
    if not changed:
        return None
    workers, weights = zip(*changed)
    return send(instance.functions.setWeights(list(workers), list(weights)), sender=oracle_account()).tx_hash


def post_domain_weights(*, domain: str, worker_ids: Iterable[int]) -> None:
    """post_weights on every live job of the domain; a failure is logged and left to the next
    change (post_weights catches up on everything that differs)."""
    worker_ids = list(worker_ids)
    for job in Job.objects.filter(status=Job.Status.LIVE, domain=domain).exclude(instance_address=""):
        try:
            post_weights(job=job, worker_ids=worker_ids)
        except (TransactionFailed, *NODE_ERRORS):
            logger.warning("posting voting weights to job %s failed", job.pk, exc_info=True)
