"""Builders of database test data shared by the app tests: users, jobs with classes, items and gold
answers. Item content goes through the real storage service."""
from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from apps.jobs.models import GoldAnswer, Item, Job, LabelClass
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
    **fields,
) -> Job:
    """A job with `num_items` text items ("item 0", "item 1", …); `gold` maps item index -> class index."""
    gold = gold or {}
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
            content_cid=store_blob(data=f"item {i}".encode(), content_type="text/plain"),
            media_type="text/plain",
            source_name=f"row {i + 1}",
            is_gold=i in gold,
            labels_needed=redundancy,
        )
        for i in range(num_items)
    )
    GoldAnswer.objects.bulk_create(GoldAnswer(item=items[i], label_index=label) for i, label in gold.items())
    return job
