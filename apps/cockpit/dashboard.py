"""The requester dashboard's numbers in one read: progress, spend, learning curve, label agreement and
per-worker accuracy. Recomputed on every live push, so everything is counted by the database in a few
grouped queries; nothing loops over a job's labels in Python."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from django.contrib.auth import get_user_model
from django.db.models import Avg, Count, F, Max, Q

from apps.anonymity.selectors import confirmed_count as anonymous_label_count
from apps.jobs.models import Job
from apps.jobs.templatetags.tokens import tokens
from apps.labeling.models import Label
from apps.labeling.selectors import job_progress
from apps.learning.selectors import learning_curve
from apps.lib.text import short_address

# A bar chart of a large crowd is unreadable; the most active workers are shown, and the total.
DASHBOARD_WORKERS = 30


@dataclass(frozen=True)
class CurvePoint:
    version: int
    labels_used: int
    heldout_accuracy: float | None  # None while no gold item can be held out
    trained_at: str  # ISO 8601


@dataclass(frozen=True)
class Agreement:
    multi_labeled_items: int  # items with two or more confirmed labels and an aggregate
    agreeing_items: int  # of those, items whose every label equals the aggregate
    share: float | None
    mean_confidence: float | None  # mean posterior of the aggregated label over aggregated items


@dataclass(frozen=True)
class WorkerAccuracy:
    worker: str  # shortened address, for display
    address: str
    labels: int
    agreement: float | None  # share of its non-gold labels equal to the item's aggregate
    gold_accuracy: float | None  # share of its gold labels equal to the gold answer
    gold_labels: int


@dataclass(frozen=True)
class Dashboard:
    job: int
    status: str
    status_display: str
    items: int
    gold_items: int
    items_complete: int  # items with at least `redundancy` confirmed labels
    labels_pending: int
    labels_confirmed: int
    anonymous_labels: int  # confirmed anonymous labels (anonymous jobs; labels_* count wallet labels)
    # Token amounts in base units as decimal strings (they exceed JavaScript's safe integers), and
    # as whole tokens for display.
    spent: str
    budget: str
    spent_tokens: str
    budget_tokens: str
    spent_share: float
    learning_curve: list[CurvePoint]
    agreement: Agreement
    workers: list[WorkerAccuracy]
    workers_total: int

    def as_json(self) -> dict:
        return asdict(self)


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _item_counts(*, job: Job, confirmed) -> dict:
    """Items complete, multi-labeled and unanimous, from one GROUP BY item."""
    per_item = confirmed.values("item_id").annotate(
        n=Count("pk"),
        agreeing=Count("pk", filter=Q(label_index=F("item__aggregate__label"))),
        aggregated=Max("item__aggregate__label"),
    )
    return per_item.aggregate(
        complete=Count("item_id", filter=Q(n__gte=job.redundancy)),
        multi=Count("item_id", filter=Q(n__gte=2, aggregated__isnull=False)),
        # A label never equals a missing aggregate, so agreeing == n implies the item has one.
        unanimous=Count("item_id", filter=Q(n__gte=2, agreeing=F("n"))),
    )


def _workers(*, confirmed) -> tuple[list[WorkerAccuracy], int]:
    gold = Q(item__is_gold=True)
    # Grouped by id, not address: the join to users is left to the few rows shown.
    rows = list(
        confirmed.values("worker_id")
        .annotate(
            labels=Count("pk"),
            gold_labels=Count("pk", filter=gold),
            gold_right=Count("pk", filter=gold & Q(label_index=F("item__gold_answer__label_index"))),
            scored=Count("pk", filter=~gold & Q(item__aggregate__isnull=False)),
            agreed=Count("pk", filter=~gold & Q(label_index=F("item__aggregate__label"))),
        )
        .order_by("-labels", "worker_id")
    )
    shown = rows[:DASHBOARD_WORKERS]
    addresses = dict(
        get_user_model().objects.filter(pk__in=[row["worker_id"] for row in shown]).values_list("pk", "address")
    )
    workers = [
        WorkerAccuracy(
            worker=short_address(addresses[row["worker_id"]]),
            address=addresses[row["worker_id"]],
            labels=row["labels"],
            agreement=_share(row["agreed"], row["scored"]),
            gold_accuracy=_share(row["gold_right"], row["gold_labels"]),
            gold_labels=row["gold_labels"],
        )
        for row in shown
    ]
    return workers, len(rows)


def dashboard(*, job: Job) -> Dashboard:
    progress = job_progress(job=job)
    confirmed = Label.objects.filter(job=job, status=Label.Status.CONFIRMED)
    counts = _item_counts(job=job, confirmed=confirmed)
    mean_confidence = job.items.aggregate(mean=Avg("aggregate__confidence"))["mean"]
    workers, workers_total = _workers(confirmed=confirmed)
    return Dashboard(
        job=job.pk,
        status=job.status,
        status_display=job.get_status_display(),
        items=progress.items,
        gold_items=progress.gold_items,
        items_complete=counts["complete"],
        labels_pending=progress.labels_pending,
        labels_confirmed=progress.labels_confirmed,
        anonymous_labels=anonymous_label_count(job=job) if job.anonymous else 0,
        spent=str(progress.spent),
        budget=str(progress.budget),
        spent_tokens=tokens(progress.spent),
        budget_tokens=tokens(progress.budget),
        spent_share=progress.spent / progress.budget if progress.budget else 0.0,
        learning_curve=[
            CurvePoint(
                version=point["version"],
                labels_used=point["labels_used"],
                heldout_accuracy=point["heldout_accuracy"],
                trained_at=point["trained_at"].isoformat(),
            )
            for point in learning_curve(job=job)
        ],
        agreement=Agreement(
            multi_labeled_items=counts["multi"],
            agreeing_items=counts["unanimous"],
            share=_share(counts["unanimous"], counts["multi"]),
            mean_confidence=mean_confidence,
        ),
        workers=workers,
        workers_total=workers_total,
    )
