"""Settlement's screening step and the review decisions that release it (docs/integrity.md).

Before a settlement computes payouts it has the integrity app assess the job's workers, telling it
whom the payouts would pay; it holds (Settlement.Step.HELD) while any such flagged worker is
unreviewed. A requester's (or staff's) decision on a flag is taken here, against the settlement row,
so that it either lands before the payouts are computed, and counts, or is refused; the decision
that unblocks a held settlement schedules it again. apps/integrity keeps the signals and the flags.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from apps.integrity.models import WorkerFlag
from apps.integrity.selectors import blocking_flags, can_review, flag_to_decide, job_flags
from apps.integrity.services import MAX_NOTE, assess_job, record_decision
from apps.jobs.models import Job
from apps.lib.events import emit
from apps.rewards.events import SettlementProgressed
from apps.rewards.models import Settlement
from apps.rewards.scheduling import schedule_settlement
from apps.rewards.selectors import payouts_computed

Step = Settlement.Step
Decision = WorkerFlag.Status


def screen_settlement(*, settlement: Settlement, would_pay: Callable[[], Collection[str]]) -> None:
    """STARTED -> SCREENED, or HELD while a flagged worker it would pay is unreviewed: assess the
    integrity signals on the final labels, telling the review queue whom the settlement would pay
    (`would_pay`: the addresses of the payouts computed with nobody withheld)."""
    job = settlement.job
    if job.anonymous:
        # Anonymous labels cannot be tied to a person, so there is nobody to screen (docs/integrity.md).
        step = Step.SCREENED
    else:
        assess_job(job=job, payable=would_pay())
        step = Step.HELD if blocking_flags(job_id=job.pk).exists() else Step.SCREENED
    if Settlement.objects.filter(pk=settlement.pk, step=Step.STARTED).update(step=step):
        emit(SettlementProgressed(job_id=job.pk, step=step))


def release_held_settlement(*, settlement: Settlement) -> bool:
    """HELD -> SCREENED once no flag blocks; False while one does."""
    if blocking_flags(job_id=settlement.job_id).exists():
        return False
    Settlement.objects.filter(pk=settlement.pk, step=Step.HELD).update(step=Step.SCREENED)
    return True


def resume_held_settlement(*, job_id: int) -> bool:
    """After a review decision: schedule the held settlement once no flag blocks it any more."""
    held = Settlement.objects.filter(job_id=job_id, step=Step.HELD).exists()
    unblocked = held and not blocking_flags(job_id=job_id).exists()
    if unblocked:
        schedule_settlement(job_id)
    return unblocked


def reassess_job(*, job: Job) -> None:
    """The requester's "assess now": bring the job's flags up to date, then resume its held
    settlement if the assessment cleared the flags it waited for."""
    assess_job(job=job)
    resume_held_settlement(job_id=job.pk)


def review_flag(*, flag_id: int, reviewer, status: str, note: str) -> WorkerFlag:
    """The requester's (or staff's) decision on a flag: APPROVED pays the worker, REJECTED withholds
    its pay (back to the requester with the refund). Allowed until the settlement has computed its
    payouts; the last decision that unblocks a held settlement resumes it."""
    if status not in (Decision.APPROVED, Decision.REJECTED):
        raise ValidationError(f"decision must be {Decision.APPROVED} or {Decision.REJECTED}")
    note = note.strip()
    if not note or len(note) > MAX_NOTE:
        raise ValidationError(f"a note (1-{MAX_NOTE} characters) saying why is required")
    with transaction.atomic():
        flag = flag_to_decide(flag_id=flag_id)
        if flag is None or not can_review(job=flag.job, user=reviewer):
            raise PermissionDenied("no such flag among the jobs you can review")
        # Lock the settlement row (settlement's compute step updates it) so that a decision either
        # lands before the payouts are computed, and counts, or is refused.
        list(Settlement.objects.select_for_update().filter(job=flag.job))
        if payouts_computed(job=flag.job):
            raise ValidationError("the job's payouts are computed already; a decision can no longer change them")
        record_decision(flag=flag, status=status, note=note, reviewer=reviewer)
        resume_held_settlement(job_id=flag.job_id)
    return flag


def review_queue(*, job: Job) -> dict:
    """The job's flags, and whether (and why) its settlement waits for them."""
    step = Settlement.objects.filter(job=job).values_list("step", flat=True).first()
    held = step == Step.HELD
    reason = ""
    if held:
        reason = f"Settlement waits for your review of {blocking_flags(job_id=job.pk).count()} flagged worker(s) it would pay."
    return {"settlement_step": step, "held": held, "hold_reason": reason, "flags": list(job_flags(job=job))}
