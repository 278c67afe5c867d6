"""Builders of database test data shared by the app tests: users, jobs with classes, items and gold
answers. Item content goes through the real storage service."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from apps.jobs.models import GoldAnswer, Item, Job, LabelClass
from apps.jobs.services import split_gold
from apps.labeling.models import Label, LabelBatch
from apps.storage.services import store_blob

TOKEN = 10**18


def make_user(address: str):
    return get_user_model().objects.get_or_create(address=address)[0]


def make_job(
    *,
    requester,
    num_items: int = 20,
    class_names: tuple[str, ...] = ("cat", "dog", "bird"),
    gold: dict[int, int] | None = None,
    redundancy: int = 3,
    price_per_label: int = TOKEN,
    status: str = Job.Status.DRAFT,
    task_type: str = Job.TaskType.TEXT_CLASSIFICATION,
    texts: list[str] | None = None,
    **fields,
) -> Job:
    """A job with `num_items` text items (`texts`, or "item 0", "item 1", …); `gold` maps item index -> class index."""
    gold = gold or {}
    texts = texts or [f"item {i}" for i in range(num_items)]
    job = Job.objects.create(
        requester=requester,
        name=fields.pop("name", "Test job"),
        task_type=task_type,
        redundancy=redundancy,
        price_per_label=price_per_label,
        budget=fields.pop("budget", price_per_label * redundancy * num_items),
        deadline=fields.pop("deadline", timezone.now() + timedelta(days=1)),
        status=status,
        **fields,
    )
    LabelClass.objects.bulk_create(
        LabelClass(job=job, index=i, name=name, shortcut=str(i + 1)) for i, name in enumerate(class_names)
    )
    items = Item.objects.bulk_create(
        Item(
            job=job,
            index=i,
            content_cid=store_blob(data=texts[i].encode(), content_type="text/plain"),
            media_type="text/plain",
            source_name=f"row {i + 1}",
            is_gold=i in gold,
            labels_needed=redundancy,
        )
        for i in range(num_items)
    )
    GoldAnswer.objects.bulk_create(GoldAnswer(item=items[i], label_index=label) for i, label in gold.items())
    split_gold(job=job)  # as going live does
    return job


def make_labels(*, job: Job, worker, labels: dict[int, int], status: str = "confirmed", tx_hash: str = "") -> list:
    """One batch of `worker`'s labels on `job`: item index -> class index; confirmed by default."""
    items = {item.index: item for item in Item.objects.filter(job=job, index__in=labels)}
    batch = LabelBatch.objects.create(
        job=job, worker=worker, mode=LabelBatch.Mode.WALLET, packed="0x", status=status, tx_hash=tx_hash
    )
    return Label.objects.bulk_create(
        Label(batch=batch, job=job, item=items[index], worker=worker, label_index=label, status=status, tx_hash=tx_hash)
        for index, label in labels.items()
    )
