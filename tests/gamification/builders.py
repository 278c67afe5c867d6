"""Confirmed labels with chosen correctness and days, for the gamification tests."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from apps.jobs.models import Job
from apps.labeling.models import Label, LabelBatch
from apps.rewards.models import Settlement
from tests.factories import make_job, make_labels, make_user

REQUESTER = "0x" + "99" * 20


def labelled(
    worker,
    *,
    plain: int = 0,
    gold_right: int = 0,
    gold_wrong: int = 0,
    days_ago: int = 0,
    mode: str = "wallet",
    settled: bool = True,
) -> Job:
    """A job of its own in which `worker` gave `plain` non-gold labels and answered `gold_right` +
    `gold_wrong` gold items, all confirmed on the day `days_ago` days back, from a batch of `mode`;
    `settled`: its settlement is done (gold answers score only then)."""
    gold_items = gold_right + gold_wrong
    job = make_job(
        requester=make_user(REQUESTER),
        num_items=plain + gold_items,
        class_names=("a", "b"),
        gold={i: 0 for i in range(gold_items)},
        status=Job.Status.LIVE,
    )
    answers = {i: 0 if i < gold_right else 1 for i in range(gold_items)} | {gold_items + i: 0 for i in range(plain)}
    labels = make_labels(job=job, worker=worker, labels=answers, tx_hash="0x" + "ab" * 32)
    ids = [label.pk for label in labels]
    Label.objects.filter(pk__in=ids).update(created_at=timezone.now() - timedelta(days=days_ago))
    LabelBatch.objects.filter(labels__pk__in=ids).update(mode=mode)
    if settled:
        Settlement.objects.create(job=job, step=Settlement.Step.DONE)
    return job
