"""Writes: assessing a job's workers (flags, with an audit row for every status change), the cache of
wallets' first funders, and recording review decisions. Settlement's screening (apps/rewards/screening.py)
calls assess_job before it computes payouts, holds while a flagged worker it would pay is unreviewed,
and takes the review decisions against its settlement row."""

from __future__ import annotations

from collections.abc import Collection

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from web3 import Web3

from apps.chain.client import get_web3
from apps.chain.funding import first_funding
from apps.chain.registry import ContractNotDeployed, contract_address
from apps.integrity.models import ReviewDecision, WalletFunding, WorkerFlag
from apps.integrity.selectors import answer_times, ignored_funders, reference_truth
from apps.integrity.signals import Assessment, Evidence, assess
from apps.jobs.kinds import Screening, kind_for
from apps.jobs.models import Job
from apps.quality.selectors import job_labels

Status = WorkerFlag.Status
MAX_NOTE = 2000


def wallet_funders(*, w3: Web3, addresses: Collection[str]) -> dict[str, dict[str, str]]:
    """address -> {"eth": source, "token": source} for the sources found; scans only the blocks not
    scanned yet for wallets whose funders are still unknown, and caches what it finds."""
    chain_id, head = w3.eth.chain_id, w3.eth.block_number
    floor = max(settings.INTEGRITY_FUNDING_FROM_BLOCK, head - settings.INTEGRITY_FUNDING_MAX_BLOCKS, 0)
    addresses = [Web3.to_checksum_address(a) for a in addresses]
    cached = {f.address: f for f in WalletFunding.objects.filter(chain_id=chain_id, address__in=addresses)}
    todo = [
        a for a in addresses if a not in cached or (len(cached[a].sources()) < 2 and cached[a].scanned_through < head)
    ]
    ignored = ignored_funders(w3=w3)
    if todo:
        try:
            token = contract_address("CrowdToken", w3=w3)
        except ContractNotDeployed:
            token = None
        start = min(cached[a].scanned_through + 1 if a in cached else floor for a in todo)
        found = first_funding(
            w3=w3, addresses=todo, token=token, from_block=start, to_block=head, ignored=ignored
        ).first
        with transaction.atomic():
            for address in todo:
                record = cached.get(address) or WalletFunding(chain_id=chain_id, address=address)
                for kind, transfer in found[address].items():
                    if not getattr(record, f"{kind}_source"):
                        setattr(record, f"{kind}_source", transfer.source)
                        setattr(record, f"{kind}_tx", transfer.tx_hash)
                record.scanned_through = head
                record.save()
                cached[address] = record
    # A source listed as ignored after it was cached stops counting too.
    return {a: {k: v for k, v in cached[a].sources().items() if v.lower() not in ignored} for a in addresses}


def _audit(*, flag: WorkerFlag, status: str, note: str, reviewer=None) -> None:
    ReviewDecision.objects.create(flag=flag, status=status, note=note, reviewer=reviewer)


def funders_by_position(addresses: list[str]) -> dict[int, dict[str, str]]:
    """Worker position -> its wallet's first funders (what common_funder signals read)."""
    funders = wallet_funders(w3=get_web3(), addresses=addresses)
    return {w: funders[a] for w, a in enumerate(addresses) if funders[a]}


def screen_class_labels(*, job: Job) -> Screening:
    """The signals of a class-label job's workers from its confirmed labels (its kind's screening)."""
    labels = job_labels(job=job)
    users = get_user_model().objects.filter(pk__in=labels.worker_ids).order_by("pk")  # worker_ids is sorted
    addresses = list(users.values_list("address", flat=True))
    assessment = assess(
        Evidence(
            n_items=labels.n_items,
            n_classes=labels.n_classes,
            items=labels.items,
            workers=labels.workers,
            labels=labels.labels,
            answer_ms=answer_times(job=job, labels=labels),
            truth=reference_truth(labels=labels),
            gold=labels.gold,
            addresses=addresses,
            funders=funders_by_position(addresses),
            pass_bar=job.qualification_bar,
        )
    )
    return Screening(worker_ids=list(labels.worker_ids), addresses=addresses, assessment=assessment)


def assess_job(*, job: Job, payable: Collection[str] | None = None) -> Assessment:
    """Compute every signal for the job's workers (as its task kind screens them: confirmed labels,
    verified boxes) and their wallets' first funders, and bring the review queue up to date: a newly
    flagged worker gets a PENDING flag, a pending one whose signals stopped firing is CLEARED, a
    decided one keeps its decision. `payable`: the addresses the settlement would pay (None:
    unknown, every flag holds)."""
    screening = kind_for(job).screening(job=job)
    worker_ids, addresses, assessment = screening.worker_ids, screening.addresses, screening.assessment
    clusters = assessment.cluster_of()
    payable_set = None if payable is None else {a.lower() for a in payable}
    flagged = set(assessment.flagged())
    with transaction.atomic():
        existing = {f.worker_id: f for f in WorkerFlag.objects.select_for_update().filter(job=job)}
        for w, worker_id in enumerate(worker_ids):
            flag = existing.get(worker_id)
            if w not in flagged:
                if flag and flag.status == Status.PENDING:
                    flag.status, flag.signals = Status.CLEARED, [s.as_dict() for s in assessment.signals[w]]
                    flag.save()
                    _audit(flag=flag, status=Status.CLEARED, note="no signal fires any more")
                continue
            if payable_set is not None:
                holds = addresses[w].lower() in payable_set
            else:  # unknown here: a flag keeps what settlement's screening decided, a new one holds
                holds = flag.holds_payout if flag else True
            fields = {
                "signals": [s.as_dict() for s in assessment.signals[w]],
                "cluster": sorted(addresses[m] for m in assessment.clusters[clusters[w]]) if w in clusters else [],
                "holds_payout": holds,
            }
            if flag is None:
                flag = WorkerFlag.objects.create(job=job, worker_id=worker_id, **fields)
                _audit(flag=flag, status=Status.PENDING, note="; ".join(flag.reasons))
                continue
            for name, value in fields.items():
                setattr(flag, name, value)
            if flag.status == Status.CLEARED:
                flag.status = Status.PENDING
                _audit(flag=flag, status=Status.PENDING, note="; ".join(flag.reasons))
            flag.save()
    return assessment


@transaction.atomic
def record_decision(*, flag: WorkerFlag, status: str, note: str, reviewer) -> None:
    """A reviewer's decision on `flag` (locked by the caller, which has checked that it may decide),
    with its audit row."""
    flag.status = status
    flag.save(update_fields=["status", "assessed_at"])
    _audit(flag=flag, status=status, note=note, reviewer=reviewer)
