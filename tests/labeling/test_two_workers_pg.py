"""Several workers share the work without doing any twice, on PostgreSQL (issue 16: confirmation
must keep up, so the chain-event handlers and the batch sends run in more than one worker): two
workers sweeping the same relayed batches send each once, and two handling the same indexed
LabelsSubmitted events confirm each batch once."""

from __future__ import annotations

import threading

import pytest

from apps.chain import handlers, indexer
from apps.chain.client import relayer_account
from apps.chain.handlers import handle_pending
from apps.chain.indexer import index_once
from apps.labeling.models import Label, LabelBatch
from apps.labeling.sending import sweep_batches
from tests.chain.test_indexer_concurrency import in_thread
from tests.labeling.batching import labels_for, post_batch, serve, signed_batch

pytestmark = pytest.mark.services


def side_by_side(target, workers: int = 2) -> list:
    start = threading.Barrier(workers)
    threads = [in_thread(lambda: (start.wait(30), target())[1]) for _ in range(workers)]
    for thread, _ in threads:
        thread.join(120)
    outcomes = [outcome[0] for _, outcome in threads]
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    return outcomes


def test_two_workers_send_each_batch_once_and_confirm_it_once(
    postgres_db, transactional_db, chain_job, admitted, dev_accounts, w3, monkeypatch
):
    monkeypatch.setattr(indexer, "hand_off", lambda event_ids: None)  # the workers below sweep instead
    for account in dev_accounts[3:6]:
        labeler = admitted(chain_job, account)
        for _ in range(2):
            body = signed_batch(labeler, chain_job, labels_for(serve(labeler, chain_job, 4)))
            assert post_batch(labeler, chain_job, body, send=False).status_code == 201
    relayer_nonce = w3.eth.get_transaction_count(relayer_account().address)

    assert sum(side_by_side(sweep_batches)) == 6
    assert w3.eth.get_transaction_count(relayer_account().address) == relayer_nonce + 6
    assert set(LabelBatch.objects.values_list("status", "send_attempts")) == {(LabelBatch.Status.SUBMITTED, 1)}

    index_once(w3=w3)
    ran = []
    monkeypatch.setitem(handlers._handlers, "LabelsSubmitted", [*handlers._handlers["LabelsSubmitted"], ran.append])
    assert sum(side_by_side(handle_pending)) >= 6
    assert len(ran) == 6  # each event's handlers ran once, in one of the two workers
    assert set(LabelBatch.objects.values_list("status", flat=True)) == {LabelBatch.Status.CONFIRMED}
    assert Label.objects.filter(status=Label.Status.CONFIRMED).count() == 24
