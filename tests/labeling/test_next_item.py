"""Next-item serving: priority order, nothing the worker labeled, capacity and leases, lease expiry,
gold honeypots that look like any item."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.jobs.models import GoldRole, Item
from apps.labeling import serving
from apps.labeling.models import ItemLease, Label, LabelBatch
from tests.factories import make_user
from tests.labeling.conftest import make_db_job

# On PostgreSQL next-items is one hand-written statement (serving._SERVE_SQL), elsewhere the ORM.
pytestmark = pytest.mark.postgres_too


@pytest.fixture
def job(db, settings):
    settings.LABELING_HONEYPOT_RATE = 0.0
    job = make_db_job(requester=make_user("0x" + "11" * 20), num_items=10, gold={0: 1, 1: 2})
    # Too little gold for the split to spare honeypots (apps.jobs.gold): here both gold items are.
    Item.objects.filter(job=job, is_gold=True).update(gold_role=GoldRole.HONEYPOT)
    return job


def worker(n: int):
    return make_user("0x" + f"{n:040x}")


def test_serves_by_priority(job):
    Item.objects.filter(job=job, index=7).update(priority=5.0)
    Item.objects.filter(job=job, index=4).update(priority=3.0)
    items = serving.next_items_for(job=job, worker=worker(1), count=3)
    assert [item.index for item in items][:2] == [7, 4]
    assert all(not item.is_gold for item in items)


def test_a_reload_returns_the_held_leases(job):
    first = serving.next_items_for(job=job, worker=worker(1), count=3)
    again = serving.next_items_for(job=job, worker=worker(1), count=3)
    assert {i.pk for i in again} == {i.pk for i in first}
    assert ItemLease.objects.count() == 3


def test_excludes_items_the_worker_labeled(job):
    labeler = worker(1)
    labeled = Item.objects.get(job=job, index=2)
    batch = LabelBatch.objects.create(job=job, worker=labeler, mode="wallet", packed="0x")
    Label.objects.create(batch=batch, job=job, item=labeled, worker=labeler, label_index=0)
    served = serving.next_items_for(job=job, worker=labeler, count=8)
    assert labeled.pk not in {i.pk for i in served}
    assert len(served) == 7  # 10 items, 2 gold, 1 labeled


def test_respects_capacity_and_leases(job):
    Item.objects.filter(job=job).update(labels_needed=1)
    first = serving.next_items_for(job=job, worker=worker(1), count=5)
    second = serving.next_items_for(job=job, worker=worker(2), count=5)
    assert len(first) == 5 and len(second) == 3
    assert not {i.pk for i in first} & {i.pk for i in second}
    assert serving.next_item_for(job=job, worker=worker(3)) is None
    assert set(Item.objects.filter(job=job, is_gold=False).values_list("labels_taken", flat=True)) == {1}


def test_expired_leases_release_their_slot_once(job):
    Item.objects.filter(job=job).update(labels_needed=1)
    (item,) = serving.next_items_for(job=job, worker=worker(1), count=1)
    ItemLease.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert serving.release_expired_leases() == 1
    assert serving.release_expired_leases() == 0
    item.refresh_from_db()
    assert item.labels_taken == 0
    assert serving.next_item_for(job=job, worker=worker(2)).pk == item.pk  # the next call sweeps too


def test_honeypots_are_mixed_in_and_look_like_items(job, settings):
    from apps.labeling.selectors import item_view

    settings.LABELING_HONEYPOT_RATE = 1.0
    served = serving.next_items_for(job=job, worker=worker(1), count=2)
    assert {i.is_gold for i in served} == {True}
    assert all(set(item_view(i)) == {"id", "index", "media_type", "content_url", "width", "height"} for i in served)

    Item.objects.filter(job=job, index=0).update(gold_role=GoldRole.QUALIFICATION)
    served = serving.next_items_for(job=job, worker=worker(2), count=3)
    # Qualification gold (answers shown in rounds) is never a honeypot, for anyone.
    assert [i.index for i in served if i.is_gold] == [1]


def test_honeypot_rate(job, settings):
    settings.LABELING_HONEYPOT_RATE = 0.1
    Item.objects.filter(job=job).update(labels_needed=100)
    gold = sum(serving.next_item_for(job=job, worker=worker(n)).is_gold for n in range(200))
    assert 5 <= gold <= 40


def test_held_leases_come_back_first_then_new_picks_with_every_field_loaded(job):
    Item.objects.filter(job=job, index=9).update(priority=9.0, width=640, height=480)
    Item.objects.filter(job=job, index=8).update(priority=8.0)
    (held,) = serving.next_items_for(job=job, worker=worker(1), count=1)
    served = serving.next_items_for(job=job, worker=worker(1), count=3)
    assert served[0].pk == held.pk and held.index == 9
    assert served[1].index == 8 and len({item.pk for item in served}) == 3
    assert ItemLease.objects.filter(worker=worker(1)).count() == 3
    for item in served:  # rows built from the raw statement carry each field under its own name
        stored = Item.objects.get(pk=item.pk)
        assert {f.attname: getattr(item, f.attname) for f in Item._meta.concrete_fields} == {
            f.attname: getattr(stored, f.attname) for f in Item._meta.concrete_fields
        }
    assert (served[0].width, served[0].height) == (640, 480)


def test_holding_more_than_asked_takes_nothing_new(job):
    serving.next_items_for(job=job, worker=worker(1), count=4)
    taken = sum(Item.objects.filter(job=job).values_list("labels_taken", flat=True))
    assert len(serving.next_items_for(job=job, worker=worker(1), count=2)) == 2
    assert sum(Item.objects.filter(job=job).values_list("labels_taken", flat=True)) == taken
