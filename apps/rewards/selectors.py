"""Reads for labelers and requesters: a worker's claim, balances, the refund call."""

from __future__ import annotations

from django.db.models import Count

from apps.chain.escrow import settlement_terms
from apps.chain.registry import contract, job_instance
from apps.jobs.models import Job
from apps.labeling.models import Label
from apps.rewards.models import Payout, Settlement

UNSETTLED = (Job.Status.LIVE, Job.Status.STOPPED)
# Settlement steps before the payouts are computed: review decisions still change them.
BEFORE_PAYOUTS = (Settlement.Step.STARTED, Settlement.Step.HELD, Settlement.Step.SCREENED)


def payouts_computed(*, job: Job) -> bool:
    return Settlement.objects.filter(job=job).exclude(step__in=BEFORE_PAYOUTS).exists()


def claim_for(*, job: Job, worker) -> dict | None:
    """The arguments of JobInstance.claim for `worker`, or None when it has no payout. Amounts are
    decimal strings: they exceed what a JSON number holds exactly."""
    payout = Payout.objects.filter(job=job, worker=worker).first()
    if payout is None:
        return None
    return {
        "index": payout.index,
        "amount": str(payout.amount),
        "proof": payout.proof,
        "contract": job.instance_address,
        "claimed": payout.claimed_at is not None,
    }


def worker_balances(*, worker, with_chain: bool = True) -> dict[str, int | None]:
    """pending: the worker's pending and confirmed labels at their price in jobs not settled yet;
    claimable: settled payouts not claimed; balance: the token balance of its wallet (None without
    `with_chain`). Summed in Python: SQLite's SUM is a 64-bit integer (or a lossy float) and token
    amounts in base units go far beyond 2^63."""
    labels_per_price = (
        Label.objects.filter(
            worker=worker, job__status__in=UNSETTLED, status__in=(Label.Status.PENDING, Label.Status.CONFIRMED)
        )
        .values_list("job__price_per_label")
        .annotate(labels=Count("pk"))
    )
    pending = sum(int(price) * labels for price, labels in labels_per_price)
    unclaimed = Payout.objects.filter(worker=worker, claimed_at__isnull=True).values_list("amount", flat=True)
    claimable = sum(int(amount) for amount in unclaimed)
    balance = contract("CrowdToken").functions.balanceOf(worker.address).call() if with_chain else None
    return {"pending": pending, "claimable": claimable, "balance": balance}


def claim_window(*, job: Job) -> dict:
    """When the job's payout claims open and close on chain (unix seconds; 0 while no root is
    posted) and whether a claim would be accepted now: claims wait for the dispute window."""
    terms = settlement_terms(instance_address=job.instance_address)
    return {
        "claims_open_at": terms.claims_open_at,
        "claim_deadline": terms.claim_deadline,
        "claimable": terms.claimable,
    }


def stop_call(*, job: Job) -> dict:
    """The transaction the requester's wallet sends to close labelling on chain before the deadline,
    so the job can be settled now."""
    instance = job_instance(job.instance_address)
    return {"to": instance.address, "data": instance.encode_abi("stop", args=[])}


def refund_call(*, job: Job) -> dict:
    """The transaction the requester's wallet sends to take back what the payouts left."""
    instance = job_instance(job.instance_address)
    return {"to": instance.address, "data": instance.encode_abi("refund", args=[])}
