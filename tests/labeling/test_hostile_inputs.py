"""Hostile labeler input (issue 16): integers over a column's range are refused by the serializer,
naming the field, before anything is written (an answer_ms of 2^31 or 2^40 was a 500 from the
database: integer out of range)."""

import pytest

from apps.labeling.models import Label, LabelBatch
from tests.labeling.batching import labels_for, serve


@pytest.mark.parametrize("answer_ms", [2**31, 2**40, -1])
def test_answer_ms_out_of_range_is_refused_before_any_write(chain_job, admitted, dev_accounts, answer_ms):
    labeler = admitted(chain_job, dev_accounts[3])
    labels = labels_for(serve(labeler, chain_job, 3))
    labels[2]["answer_ms"] = answer_ms
    for url in (f"/api/jobs/{chain_job.pk}/batches/prepare", f"/api/jobs/{chain_job.pk}/batches"):
        reply = labeler.api.post(url, {"mode": "wallet", "labels": labels}, format="json")
        assert reply.status_code == 400, reply.content
        body = reply.json()
        assert body["field"] == "labels.2.answer_ms" and "labels.2.answer_ms" in body["detail"]
    assert not LabelBatch.objects.exists() and not Label.objects.exists()


@pytest.mark.parametrize(("key", "value"), [("item", 2**64), ("label", 2**40)])
def test_huge_ids_and_labels_are_refused_at_the_serializer(chain_job, admitted, dev_accounts, key, value):
    labeler = admitted(chain_job, dev_accounts[3])
    labels = labels_for(serve(labeler, chain_job, 1))
    labels[0][key] = value
    reply = labeler.api.post(f"/api/jobs/{chain_job.pk}/batches", {"mode": "wallet", "labels": labels}, format="json")
    assert reply.status_code == 400 and reply.json()["field"] == f"labels.0.{key}"
    assert not LabelBatch.objects.exists()
