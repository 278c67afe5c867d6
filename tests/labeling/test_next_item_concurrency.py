"""On PostgreSQL, labelers asking at the same moment never share an item's last slot."""

import threading

import pytest
from django.db import connection

from apps.jobs.models import Item
from apps.labeling import serving
from apps.labeling.models import ItemLease
from tests.factories import make_user
from tests.labeling.conftest import make_db_job

THREADS = 8


@pytest.mark.services
def test_one_slot_goes_to_exactly_one_labeler(postgres_db, transactional_db, settings):
    settings.LABELING_HONEYPOT_RATE = 0.0
    job = make_db_job(requester=make_user("0x" + "11" * 20), num_items=1, gold={}, redundancy=1)
    workers = [make_user("0x" + f"{n + 1:040x}") for n in range(THREADS)]
    barrier = threading.Barrier(THREADS)
    results: list = []

    def ask(worker) -> None:
        try:
            barrier.wait()
            results.append(serving.next_item_for(job=job, worker=worker))
        finally:
            connection.close()

    threads = [threading.Thread(target=ask, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == THREADS
    assert sum(item is not None for item in results) == 1
    assert Item.objects.get().labels_taken == 1
    assert ItemLease.objects.count() == 1
