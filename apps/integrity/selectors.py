"""Reads: a job's labels as signal evidence, its flags, who may review them, and what settlement must
hold or withhold."""

from __future__ import annotations

import numpy as np
from django.conf import settings
from django.db.models import QuerySet
from web3 import Web3

from apps.chain.client import oracle_account, relayer_account
from apps.chain.registry import ContractNotDeployed, contract_address
from apps.integrity.models import WorkerFlag
from apps.jobs.models import Job
from apps.labeling.models import Label
from apps.quality.selectors import JobLabels
from apps.quality.truth import infer_truth

PLATFORM_CONTRACTS = ("CrowdToken", "JobManagement", "JobInstance")


def answer_times(*, job: Job, labels: JobLabels) -> np.ndarray:
    """Per label record of `labels`: the answer time its page measured, nan where none."""
    rows = Label.objects.filter(job=job, status=Label.Status.CONFIRMED).values_list("item_id", "worker_id", "answer_ms")
    by_key = {(item, worker): ms for item, worker, ms in rows}
    items, workers = labels.item_ids[labels.items], np.asarray(labels.worker_ids)[labels.workers]
    times = [by_key.get((int(i), int(w))) for i, w in zip(items.tolist(), workers.tolist())]
    return np.array([np.nan if t is None else float(t) for t in times])


def reference_truth(*, labels: JobLabels) -> np.ndarray:
    """What a worker's answer is compared with: gold where known, else the default aggregation."""
    return infer_truth(
        items=labels.items,
        workers=labels.workers,
        labels=labels.labels,
        n_items=labels.n_items,
        n_workers=len(labels.worker_ids),
        n_classes=labels.n_classes,
        gold=labels.gold,
    ).result.labels


def ignored_funders(*, w3: Web3) -> set[str]:
    """Sources that fund everyone by design: the platform's keys and contracts, every job's escrow
    (claims pay workers from it) and the configured exchanges and faucets."""
    ignored = {oracle_account().address, relayer_account().address, *settings.INTEGRITY_IGNORED_FUNDERS}
    for name in PLATFORM_CONTRACTS:
        try:
            ignored.add(contract_address(name, w3=w3))
        except ContractNotDeployed:
            continue
    ignored |= set(Job.objects.exclude(instance_address="").values_list("instance_address", flat=True))
    return {a.lower() for a in ignored}


def job_flags(*, job: Job) -> QuerySet[WorkerFlag]:
    flags = WorkerFlag.objects.filter(job=job).select_related("worker").prefetch_related("decisions__reviewer")
    return flags.order_by("status", "worker__address")


def can_review(*, job: Job, user) -> bool:
    return bool(user.is_authenticated and (user.is_staff or job.requester_id == user.pk))


def flag_to_decide(*, flag_id: int) -> WorkerFlag | None:
    """The flag with its job, locked until the transaction that decides it ends."""
    return WorkerFlag.objects.select_for_update().select_related("job").filter(pk=flag_id).first()


def blocking_flags(*, job_id: int) -> QuerySet[WorkerFlag]:
    """Flags that hold the job's settlement: pending, of a worker the settlement would pay."""
    return WorkerFlag.objects.filter(job_id=job_id, status=WorkerFlag.Status.PENDING, holds_payout=True)


def withheld_addresses(*, job: Job) -> frozenset[str]:
    rejected = WorkerFlag.objects.filter(job=job, status=WorkerFlag.Status.REJECTED)
    return frozenset(rejected.values_list("worker__address", flat=True))
