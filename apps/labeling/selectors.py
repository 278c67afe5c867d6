"""Reads of the labeling app: the job board, a labeler's standing, what an item looks like to a
labeler (never its gold answer), and confirmed labels for aggregation and settlement."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone

from apps.jobs.models import Item, Job
from apps.labeling.models import Label, LabelBatch, Pause, Qualification
from apps.labeling.qualification import retry_at
from apps.reputation.models import Reputation
from apps.reputation.selectors import reputation_of


@dataclass(frozen=True)
class Standing:
    qualified: bool
    qualification_failed: bool
    paused: bool
    reputation: Reputation | None  # in the job's domain; None until a settled job showed something
    labels_given: int
    pending: int
    confirmed: int


def live_jobs():
    open_items = Q(items__is_gold=False, items__labels_taken__lt=F("items__labels_needed"))
    return (
        Job.objects.filter(status=Job.Status.LIVE)
        .annotate(items_left=Count("items", filter=open_items))
        .order_by("-created_at")
    )


def standing(*, job: Job, worker) -> Standing:
    qualification = Qualification.objects.filter(job=job, worker=worker).first()
    counts = Label.objects.filter(job=job, worker=worker).aggregate(
        given=Count("pk", filter=Q(status__in=(Label.Status.PENDING, Label.Status.CONFIRMED))),
        pending=Count("pk", filter=Q(status=Label.Status.PENDING)),
        confirmed=Count("pk", filter=Q(status=Label.Status.CONFIRMED)),
    )
    return Standing(
        qualified=bool(qualification and qualification.admitted),
        qualification_failed=bool(qualification and qualification.passed is False),
        paused=Pause.objects.filter(job=job, worker=worker, lifted_at__isnull=True).exists(),
        reputation=reputation_of(worker=worker, domain=job.domain),
        labels_given=counts["given"],
        pending=counts["pending"],
        confirmed=counts["confirmed"],
    )


def item_view(item: Item) -> dict:
    """An item as a labeler sees it: gold or not, it looks the same. Images carry their pixel size
    (null for text), the frame of bounding-box coordinates."""
    return {
        "id": item.pk,
        "index": item.index,
        "media_type": item.media_type,
        "content_url": reverse("labeling-api:item-content", args=[item.pk]),
        "width": item.width,
        "height": item.height,
    }


def can_view_item(*, item: Item, user) -> bool:
    """The requester, the job's admitted labelers, and a labeler whose qualification round holds it."""
    if item.job.requester_id == user.pk:
        return True
    qualification = Qualification.objects.filter(job_id=item.job_id, worker=user).first()
    if qualification is None:
        return False
    return qualification.admitted or (qualification.passed is None and item.pk in qualification.item_ids)


def confirmed_label_rows(*, job: Job) -> list[dict]:
    """Confirmed labels of a job with provenance, for aggregation, settlement and export:
    item index, worker address, class index, tx hash, block number."""
    return [
        dict(row)
        for row in Label.objects.filter(job=job, status=Label.Status.CONFIRMED)
        .order_by("block_number", "pk")
        .values(
            "item__index", "worker__address", "label_index", "tx_hash", "block_number", "item__is_gold", "answer_ms"
        )
    ]


def qualification_view(*, job: Job, worker) -> dict:
    """Where the worker is in the job's qualification round, and the next gold item to answer (never
    its answer: that comes back only with the feedback to an answer)."""
    qualification = Qualification.objects.filter(job=job, worker=worker).first()
    limits = {"max_attempts": job.qualification_max_attempts, "wait_seconds": job.qualification_wait_seconds}
    if qualification is None:
        return {
            "state": "not_started",
            "answered": 0,
            "total": job.qualification_size,
            "item": None,
            "attempts": 0,
            "retry_at": None,
            "score": None,
            "reused": False,
            **limits,
        }
    state = {None: "running", True: "passed", False: "failed"}[qualification.passed]
    if state == "running" and not qualification.item_ids:
        state = "not_started"
    pending = [i for i in qualification.item_ids if str(i) not in qualification.answers]
    item = Item.objects.get(pk=pending[0]) if state == "running" and pending else None
    return {
        "state": "admitted" if qualification.admitted else state,
        "answered": len(qualification.answers),
        "total": len(qualification.item_ids) or job.qualification_size,
        "item": item_view(item) if item else None,
        "attempts": qualification.attempts,
        "retry_at": retry_at(job=job, qualification=qualification) if state == "failed" else None,
        "score": qualification.score,
        "reused": qualification.reused_from_id is not None,
        **limits,
    }


def pauses_of(*, job: Job) -> list[Pause]:
    """The job's honeypot pauses, active ones first, for its requester."""
    return list(
        Pause.objects.filter(job=job).select_related("worker").order_by(F("lifted_at").desc(nulls_first=True), "-pk")
    )


def recent_batches(*, job: Job, worker, limit: int = 20) -> list[LabelBatch]:
    batches = LabelBatch.objects.filter(job=job, worker=worker).annotate(size=Count("labels"))
    return list(batches.order_by("-pk")[:limit])


# The next-items call runs this read every time, so it is raw SQL: the ORM spends ~5 ms of
# Python building the job query's three Exists() per call, several times what PostgreSQL takes to
# answer it. Portable SQL (PostgreSQL and the embedded SQLite); timestamps go through the backend's
# adapter, as the ORM would send them.
_SERVING_JOB_SQL = """
SELECT j.*,
    EXISTS (SELECT 1 FROM labeling_qualification q
            WHERE q.job_id = j.id AND q.worker_id = %s AND q.passed AND q.admitted_tx <> '') AS serving_admitted,
    EXISTS (SELECT 1 FROM labeling_pause p
            WHERE p.job_id = j.id AND p.worker_id = %s AND p.lifted_at IS NULL) AS serving_paused,
    EXISTS (SELECT 1 FROM labeling_itemlease e WHERE e.expires_at < %s) AS serving_expired,
    (SELECT count(*) FROM labeling_label l
     WHERE l.job_id = j.id AND l.worker_id = %s AND l.status = 'pending') AS serving_pending
FROM jobs_job j WHERE j.id = %s
"""


def job_for_serving(*, job_id: int, worker) -> Job | None:
    """The job for a next-items call, in one query: annotated with `serving_admitted` (the worker
    passed and was admitted on chain, as services.require_admitted checks), `serving_paused` (an
    active honeypot pause), `serving_expired` (some lease has expired: the sweep has work) and
    `serving_pending` (the worker's labels in the job not confirmed yet).
    None if there is no such job."""
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    job = next(iter(Job.objects.raw(_SERVING_JOB_SQL, [worker.pk, worker.pk, now, worker.pk, job_id])), None)
    if job is not None:  # SQLite answers EXISTS with 0/1
        # raw() annotations, which the model's type does not declare
        job.serving_admitted, job.serving_paused = bool(job.serving_admitted), bool(job.serving_paused)  # type: ignore[attr-defined]
        job.serving_expired = bool(job.serving_expired)  # type: ignore[attr-defined]
    return job


def batches_in_flight(*, job: Job) -> int:
    """The job's label batches recorded but not final yet: pending (not sent) or sent, unconfirmed."""
    return LabelBatch.objects.filter(
        job=job, status__in=[LabelBatch.Status.PENDING, LabelBatch.Status.SUBMITTED]
    ).count()


@dataclass(frozen=True)
class Progress:
    items: int
    gold_items: int
    labels_pending: int
    labels_confirmed: int
    spent: int  # confirmed labels × price, base units
    budget: int


def job_progress(*, job: Job) -> Progress:
    counts = job.items.aggregate(items=Count("pk"), gold=Count("pk", filter=Q(is_gold=True)))
    labels = Label.objects.filter(job=job).aggregate(
        pending=Count("pk", filter=Q(status=Label.Status.PENDING)),
        confirmed=Count("pk", filter=Q(status=Label.Status.CONFIRMED)),
    )
    return Progress(
        items=counts["items"],
        gold_items=counts["gold"],
        labels_pending=labels["pending"],
        labels_confirmed=labels["confirmed"],
        spent=labels["confirmed"] * int(job.price_per_label),
        budget=int(job.budget),
    )
