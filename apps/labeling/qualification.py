"""Qualification rounds: gold items with instant feedback before a labeler's first real item; a pass
admits the labeler's wallet on chain (the oracle's admitWorkers)."""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.chain.client import TransactionFailed, get_web3, oracle_account, send
from apps.chain.registry import job_instance
from apps.jobs.models import GoldAnswer, Item, Job
from apps.labeling.models import Qualification
from apps.labeling.services import NODE_ERRORS, LabelingError, NotAllowed, check_classes

# admitted_tx of a worker the contract had admitted already (by an earlier, unrecorded admission).
ALREADY_ADMITTED = "already-admitted"
# admitted_tx of a pass in an anonymous job: its wallet is not admitted on chain, so it cannot vote
# from the wallet besides its anonymous votes; the pass lets it join the job's group (apps.anonymity).
NOT_ON_CHAIN_ANONYMOUS = "anonymous-job"


@dataclass(frozen=True)
class Feedback:
    correct: bool
    correct_label: int
    answered: int
    total: int
    passed: bool | None  # None until the round's last answer


def start_qualification(*, job: Job, worker) -> Qualification:
    """The worker's current round, starting one (or a retry, once the wait is over) when needed."""
    if job.status != Job.Status.LIVE or not job.instance_address:
        raise NotAllowed("This job is not open for labeling.")
    with transaction.atomic():
        qualification, _ = Qualification.objects.select_for_update().get_or_create(job=job, worker=worker)
        running = qualification.item_ids and qualification.passed is None
        if qualification.passed or running:
            return qualification
        if qualification.passed is False and not retry_allowed(qualification=qualification):
            raise LabelingError("You did not pass the qualification; you can retry later.")
        gold = list(Item.objects.filter(job=job, is_gold=True).values_list("id", flat=True))
        if len(gold) < job.qualification_size:
            raise LabelingError("This job does not have enough gold items for a qualification round yet.")
        qualification.item_ids = random.sample(gold, job.qualification_size)
        qualification.answers = {}
        qualification.passed = None
        qualification.attempts += 1
        qualification.last_attempt_at = timezone.now()
        qualification.save()
        return qualification


def retry_allowed(*, qualification: Qualification) -> bool:
    wait = timedelta(seconds=settings.LABELING_QUALIFICATION_RETRY_SECONDS)
    return qualification.last_attempt_at is None or timezone.now() >= qualification.last_attempt_at + wait


def answer_qualification(*, job: Job, worker, item_id: int, label: int) -> Feedback:
    """Score one answer of the running round; the last answer decides the round, and a pass admits
    the worker on chain."""
    with transaction.atomic():
        qualification = Qualification.objects.select_for_update().filter(job=job, worker=worker).first()
        if qualification is None or qualification.passed is not None or item_id not in qualification.item_ids:
            raise LabelingError("That item is not part of your running qualification round.")
        if str(item_id) in qualification.answers:
            raise LabelingError("You answered that item already.")
        check_classes(job=job, labels=[label])
        truth = GoldAnswer.objects.get(item_id=item_id).label_index
        qualification.answers[str(item_id)] = label
        answered = len(qualification.answers)
        total = len(qualification.item_ids)
        if answered == total:
            gold = GoldAnswer.objects.filter(item_id__in=qualification.item_ids)
            truths = dict(gold.values_list("item_id", "label_index"))
            correct = sum(truths[int(i)] == answer for i, answer in qualification.answers.items())
            qualification.passed = correct / total >= job.qualification_bar
        qualification.save()
    if qualification.passed:
        admit_worker(qualification=qualification)
    return Feedback(
        correct=truth == label, correct_label=truth, answered=answered, total=total, passed=qualification.passed
    )


def admit_worker(*, qualification: Qualification) -> Qualification:
    """Send admitWorkers for a passed worker not on chain yet (retried by the next call on failure).
    The send happens outside any transaction: a slow chain must not hold row locks."""
    if not qualification.passed or qualification.admitted_tx:
        return qualification
    if qualification.job.anonymous:
        Qualification.objects.filter(pk=qualification.pk, admitted_tx="").update(admitted_tx=NOT_ON_CHAIN_ANONYMOUS)
        qualification.refresh_from_db()
        return qualification
    instance = job_instance(qualification.job.instance_address, w3=get_web3())
    try:
        sent = send(instance.functions.admitWorkers([qualification.worker.address]), sender=oracle_account())
    except TransactionFailed as error:
        if error.reason != "AlreadyAdmitted":
            raise LabelingError(f"Admitting your wallet on chain failed ({error.reason}); reload to retry.") from error
        tx_hash = ALREADY_ADMITTED
    except NODE_ERRORS as error:  # e.g. two admissions raced for the oracle's nonce
        raise LabelingError("Admitting your wallet on chain failed; reload the page to retry.") from error
    else:
        tx_hash = sent.tx_hash
    Qualification.objects.filter(pk=qualification.pk, admitted_tx="").update(admitted_tx=tx_hash)
    qualification.refresh_from_db()
    return qualification
