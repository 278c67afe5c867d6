"""The admitted labelers' voting weights on chain (JobInstance.setWeights) follow their reputation in
the job's domain: posted when a labeler is admitted and when a settlement changes reputation."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db import transaction

from apps.chain.client import TransactionFailed, get_web3, oracle_account, send
from apps.chain.errors import NODE_ERRORS
from apps.chain.registry import job_instance
from apps.jobs.models import Job
from apps.labeling.models import Qualification
from apps.reputation.events import ReputationChanged
from apps.reputation.selectors import weights_for

logger = logging.getLogger(__name__)


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


def post_changed_weights(event: ReputationChanged) -> None:
    """ReputationChanged: after the commit, so the chain gets the committed weights."""
    transaction.on_commit(lambda: post_domain_weights(domain=event.domain, worker_ids=event.worker_ids))
