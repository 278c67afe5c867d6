"""Issue 11: a labeler holds at most LABELING_MAX_PENDING_ITEMS items unconfirmed in a job, so wallet
batches that are never sent cannot hold the job's slots; next-items says why it serves nothing."""

import pytest

from apps.jobs.models import Item
from apps.labeling.models import LabelBatch
from tests.labeling.batching import labels_for, post_batch, serve

# next-items counts the pending labels inside labeling.selectors' raw SQL
pytestmark = pytest.mark.postgres_too


def test_unsent_wallet_batches_stop_serving_at_the_limit(chain_job, admitted, dev_accounts, settings):
    settings.LABELING_MAX_PENDING_ITEMS = 4
    labeler = admitted(chain_job, dev_accounts[3])
    assert (
        post_batch(
            labeler, chain_job, {"mode": "wallet", "labels": labels_for(serve(labeler, chain_job, 3))}
        ).status_code
        == 201
    )
    assert len(last := serve(labeler, chain_job, 5)) == 1  # room for one more
    assert post_batch(labeler, chain_job, {"mode": "wallet", "labels": labels_for(last)}).status_code == 201

    refused = labeler.api.post(f"/api/jobs/{chain_job.pk}/next-items", {"count": 2}, format="json")
    assert refused.status_code == 409
    assert refused.json()["code"] == "pending_limit" and "4 labels not yet on chain" in refused.json()["detail"]
    by_id = Item.objects.filter(job=chain_job, is_gold=False, labels_taken=0).first()
    body = {"mode": "wallet", "labels": [{"item": by_id.pk, "label": 0}]}
    assert post_batch(labeler, chain_job, body).status_code == 409  # nor by id around the page

    # The wallet refused the first batch: its labels fail, their room comes back.
    first = LabelBatch.objects.order_by("pk").first()
    reply = labeler.api.post(f"/api/jobs/{chain_job.pk}/batches/{first.pk}/tx", {"error": "rejected"}, format="json")
    assert reply.status_code == 200
    assert len(serve(labeler, chain_job, 5)) == 3
