"""Reads of jobs: the requester's own jobs, a job's funding call, its progress."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, QuerySet
from django.http import Http404
from django.utils import timezone

from apps.chain.client import get_web3
from apps.chain.registry import contract, contract_address
from apps.jobs.kinds import kind_for
from apps.jobs.models import Job
from apps.lib.errors import AppError


def jobs_of(*, requester) -> QuerySet[Job]:
    """The requester's jobs, newest first, with their item counts."""
    return Job.objects.filter(requester=requester).annotate(item_count=Count("items")).order_by("-created_at")


def job_of(*, job_id: int, requester) -> Job:
    """The requester's job `job_id`; Http404 for anyone else's, so its existence is not revealed."""
    job = jobs_of(requester=requester).filter(pk=job_id).first()
    if job is None:
        raise Http404("no such job")
    return job


@dataclass(frozen=True)
class FundingCall:
    """What the requester's wallet sends: CrowdToken.approve(management, budget), then
    JobManagement.createJob(numItems, numClasses, redundancy, pricePerLabel, deadline, budget, manifest).
    Amounts are decimal strings: they exceed JavaScript's safe integers."""

    chain_id: int
    token: str
    management: str
    num_items: int
    num_classes: int
    redundancy: int
    price_per_label: str
    deadline: int
    budget: str
    manifest: str
    # The requester's token balance and allowance now: the page approves only when needed and warns
    # before sending a createJob that would revert.
    balance: str
    allowance: str


class NotReadyToFund(AppError, ValueError):
    code = "not_ready_to_fund"


def onchain_num_classes(job: Job) -> int:
    """createJob's numClasses, as the job's task kind counts them."""
    return kind_for(job).onchain_classes(job)


def funding_call(*, job: Job) -> FundingCall:
    """The exact createJob parameters the server will recognise in JobCreated; NotReadyToFund says why not yet."""
    if job.status not in (Job.Status.DRAFT, Job.Status.FUNDING):
        raise NotReadyToFund(f"the job is {job.get_status_display().lower()}, not awaiting funding")
    num_items = job.items.count()
    if not num_items or not job.manifest_digest:
        raise NotReadyToFund("import the dataset before funding the job")
    if job.deadline <= timezone.now():
        raise NotReadyToFund("the deadline has passed")
    w3 = get_web3()
    token = contract("CrowdToken", w3=w3)
    management = contract_address("JobManagement", w3=w3)
    requester = job.requester.address
    return FundingCall(
        chain_id=w3.eth.chain_id,
        token=token.address,
        management=management,
        num_items=num_items,
        num_classes=onchain_num_classes(job),
        redundancy=job.redundancy,
        price_per_label=str(int(job.price_per_label)),
        deadline=int(job.deadline.timestamp()),
        budget=str(int(job.budget)),
        manifest=job.manifest_digest,
        balance=str(token.functions.balanceOf(requester).call()),
        allowance=str(token.functions.allowance(requester, management).call()),
    )


def is_requester_of(*, job_id: int, user) -> bool:
    return Job.objects.filter(pk=job_id, requester=user).exists()
