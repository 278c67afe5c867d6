"""Qualification rounds: gold items with instant feedback before a labeler's first real item; a pass
admits the labeler's wallet on chain (the oracle's admitWorkers)."""

from __future__ import annotations

import logging
import math
import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from apps.chain.client import TransactionFailed, get_web3, oracle_account, send
from apps.chain.errors import NODE_ERRORS
from apps.chain.registry import job_instance
from apps.jobs.kinds import kind_for
from apps.jobs.models import GoldRole, Item, Job
from apps.labeling.models import Qualification
from apps.labeling.services import LabelingError, NotAllowed, check_classes, require_not_requester, require_unlocked
from apps.labeling.weights import post_weights

logger = logging.getLogger(__name__)

# admitted_tx of a worker the contract had admitted already (by an earlier, unrecorded admission).
ALREADY_ADMITTED = "already-admitted"
# admitted_tx of a pass in an anonymous job: its wallet is not admitted on chain, so it cannot vote
# from the wallet besides its anonymous votes; the pass lets it join the job's group (apps.anonymity).
NOT_ON_CHAIN_ANONYMOUS = "anonymous-job"


@dataclass(frozen=True)
class Feedback:
    score: float  # this answer's score against gold, in [0, 1] (classes: 1 or 0; boxes: mean IoU)
    # The gold answer of the item just answered (a class index, or its gold boxes), never of one still
    # to answer.
    gold: Any
    answered: int
    total: int
    passed: bool | None  # None until the round's last answer

    @property
    def correct(self) -> bool:
        return self.score == 1.0


def start_qualification(*, job: Job, worker) -> Qualification:
    """The worker's current round, starting one (or a retry, once the wait is over and while
    attempts are left) when needed. A pass in another job of the requester's domain is reused."""
    if job.status != Job.Status.LIVE or not job.instance_address:
        raise NotAllowed("This job is not open for labeling.")
    require_not_requester(job=job, worker=worker)
    require_unlocked(job=job, worker=worker)
    with transaction.atomic():
        qualification, _ = Qualification.objects.select_for_update().get_or_create(job=job, worker=worker)
        running = qualification.item_ids and qualification.passed is None
        if qualification.passed or running:
            return qualification
        if earlier := domain_pass(job=job, worker=worker):
            qualification.passed, qualification.score, qualification.reused_from = True, earlier.score, earlier
            qualification.save()
            return qualification
        if qualification.passed is False:
            refuse_retry(job=job, qualification=qualification)
        # Qualification gold only: the honeypots that score normal work are never shown (apps.jobs.gold).
        gold = list(Item.objects.filter(job=job, gold_role=GoldRole.QUALIFICATION).values_list("id", flat=True))
        if len(gold) < job.qualification_size:
            raise LabelingError("This job does not have enough gold items for a qualification round yet.")
        # A retry draws items whose answers the labeler has not been shown first, while there are enough.
        revealed = set(qualification.revealed_ids)
        fresh = [i for i in gold if i not in revealed]
        qualification.item_ids = random.sample(fresh, min(len(fresh), job.qualification_size))
        missing = job.qualification_size - len(qualification.item_ids)
        qualification.item_ids += random.sample(sorted(revealed & set(gold)), missing)
        random.shuffle(qualification.item_ids)
        qualification.answers = {}
        qualification.passed = None
        qualification.attempts += 1
        qualification.last_attempt_at = timezone.now()
        qualification.save()
        return qualification


def domain_pass(*, job: Job, worker) -> Qualification | None:
    """The worker's pass in another job of the same domain and requester. Only the same requester's
    jobs count: a domain is a free-text tag, and anyone else could set up an easy job under it."""
    if not job.domain:
        return None
    return (
        Qualification.objects.filter(
            worker=worker, passed=True, job__domain=job.domain, job__requester_id=job.requester_id
        )
        .exclude(job=job)
        .order_by("pk")
        .first()
    )


def retry_at(*, job: Job, qualification: Qualification):
    """When a failed round may be retried: the job's wait after the round was decided; None when
    no attempt is left (or no round finished)."""
    if qualification.attempts >= job.qualification_max_attempts or qualification.finished_at is None:
        return None
    return qualification.finished_at + timedelta(seconds=job.qualification_wait_seconds)


def refuse_retry(*, job: Job, qualification: Qualification) -> None:
    """Raise, with what the labeler can do, unless a failed round may be retried now."""
    if qualification.attempts >= job.qualification_max_attempts:
        raise NotAllowed(
            f"You did not pass the qualification and have used all {job.qualification_max_attempts} attempts"
            " this job allows."
        )
    left = retry_at(job=job, qualification=qualification) - timezone.now()
    if left > timedelta(0):
        minutes, seconds = divmod(math.ceil(left.total_seconds()), 60)
        wait = f"{minutes} min {seconds} s" if minutes else f"{seconds} s"
        raise LabelingError(f"You did not pass the qualification; you can retry later, in {wait}.")


def gold_answers(*, job: Job, item_ids: list[int]) -> Mapping[int, Any]:
    """item pk -> gold answer of those of `item_ids` that are gold, in the form the job's task kind
    scores: a class index, or a box job's gold boxes."""
    return kind_for(job).gold_answers(item_ids=item_ids)


def answer_qualification(*, job: Job, worker, item_id: int, answer: int | list[dict]) -> Feedback:
    """Score one answer of the running round; the last answer decides the round (mean score at or
    above the job's bar), and a pass admits the worker on chain. `answer` is a class index (checked
    here) or, in a box job, the canonical boxes as dicts (checked and canonicalised by
    apps.boxes.services.answer_box_qualification, which calls this)."""
    kind = kind_for(job)
    boxes = not kind.takes_class_labels
    if boxes and not isinstance(answer, list):
        raise LabelingError("This job's gold images are answered with boxes, not a class label.")
    if not boxes and isinstance(answer, list):
        raise LabelingError("This job takes class labels, not boxes.")
    with transaction.atomic():
        qualification = Qualification.objects.select_for_update().filter(job=job, worker=worker).first()
        if qualification is None or qualification.passed is not None or item_id not in qualification.item_ids:
            raise LabelingError("That item is not part of your running qualification round.")
        if str(item_id) in qualification.answers:
            raise LabelingError("You answered that item already.")
        if not boxes:
            check_classes(job=job, labels=[answer])
        qualification.answers[str(item_id)] = answer
        qualification.revealed_ids = sorted({*qualification.revealed_ids, item_id})
        truths = gold_answers(job=job, item_ids=qualification.item_ids)
        scores = {
            int(i): kind.score_against_gold(answer=given, gold=truths[int(i)])
            for i, given in qualification.answers.items()
        }
        answered, total = len(qualification.answers), len(qualification.item_ids)
        if answered == total:
            qualification.score = sum(scores.values()) / total
            qualification.passed = qualification.score >= job.qualification_bar
            qualification.finished_at = timezone.now()
        qualification.save()
    if qualification.passed:
        admit_worker(qualification=qualification)
    return Feedback(
        score=scores[item_id], gold=truths[item_id], answered=answered, total=total, passed=qualification.passed
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
    try:  # a labeler with a reputation in the domain votes with its weight from the start
        post_weights(job=qualification.job, worker_ids=[qualification.worker_id])
    except (TransactionFailed, *NODE_ERRORS):
        logger.warning("posting the voting weight of worker %s failed", qualification.worker_id, exc_info=True)
    return qualification
