"""A LIVE bounding-box job on chain (16 on-chain classes: a vote's label is its box count) and in the
database (640x480 images, two classes, gold boxes on the first items), and the labeling fixtures."""

from __future__ import annotations

import pytest

from apps.boxes.geometry import Box
from apps.boxes.services import store_gold_boxes
from apps.jobs.models import GoldRole, Item, Job
from apps.jobs.services import split_gold
from tests.factories import make_job, make_user
from tests.labeling.conftest import admitted, chain_job, index_and_handle, labeler_for  # noqa: F401  (fixtures)

NUM_ITEMS = 12
WIDTH, HEIGHT = 640, 480
CLASSES = ("car", "person")
GOLD_BOXES = {
    0: [Box(0, 10, 10, 100, 80), Box(1, 300, 200, 40, 120)],
    1: [Box(1, 50, 60, 30, 90)],
    2: [],  # gold "nothing here"
}


def make_box_job(*, requester, instance_address: str = "", **fields) -> Job:
    job = make_job(
        requester=requester,
        num_items=fields.pop("num_items", NUM_ITEMS),
        class_names=CLASSES,
        task_type=Job.TaskType.BOUNDING_BOX,
        redundancy=fields.pop("redundancy", 2),
        status=Job.Status.LIVE,
        instance_address=instance_address,
        qualification_size=fields.pop("qualification_size", len(GOLD_BOXES)),
        qualification_bar=fields.pop("qualification_bar", 0.6),
        **fields,
    )
    for item in job.items.all():
        Item.objects.filter(pk=item.pk).update(
            width=WIDTH,
            height=HEIGHT,
            media_type="image/png",
            source_name=f"img{item.index:02d}.png",
            is_gold=item.index in GOLD_BOXES,
        )
    items = dict(job.items.values_list("index", "pk"))
    store_gold_boxes(items_boxes={items[index]: boxes for index, boxes in GOLD_BOXES.items()})
    split_gold(job=job)  # as going live does: three gold images, one round of them, no honeypots
    return job


def gold_as_honeypots(job: Job) -> None:
    """Make every gold image a honeypot (the tests of scoring in normal work)."""
    Item.objects.filter(job=job, is_gold=True).update(gold_role=GoldRole.HONEYPOT)


@pytest.fixture
def box_job(make_job, roles, settings) -> Job:
    settings.CHAIN_CONFIRMATIONS = 0
    settings.LABELING_HONEYPOT_RATE = 0.0
    on_chain = make_job(num_items=NUM_ITEMS, num_classes=16, redundancy=2)
    return make_box_job(requester=make_user(roles.requester.address), instance_address=on_chain.instance.address)


@pytest.fixture
def job3(make_job, roles, settings) -> Job:
    """A box job taking three answers per image, its gold images honeypots, served as configured."""
    settings.CHAIN_CONFIRMATIONS = 0
    on_chain = make_job(num_items=NUM_ITEMS, num_classes=16, redundancy=3)
    job = make_box_job(
        requester=make_user(roles.requester.address), instance_address=on_chain.instance.address, redundancy=3
    )
    gold_as_honeypots(job)
    return job
