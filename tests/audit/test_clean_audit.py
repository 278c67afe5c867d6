"""A settled, partly claimed and refunded job audits clean: every payout traced to labels the chain
carries, token flow read from the chain balances, and no anomaly."""

import csv
import io

import pytest

from apps.audit.selectors import job_audit
from apps.rewards.models import Payout
from tests.chain_fixtures import BUDGET, TOKEN
from tests.rewards.conftest import N_ITEMS

pytestmark = pytest.mark.django_db(transaction=True)


def test_every_token_paid_maps_to_verified_labels(settled_job):
    job, (careful, careful2, sloppy, spammer) = settled_job.job, settled_job.workers

    audit = job_audit(job=job)

    assert audit.anomalies == []
    flows = audit.flows
    assert flows.balanced and flows.funded == BUDGET
    assert flows.paid == settled_job.claimed and flows.refunded == BUDGET - flows.total_payout
    assert flows.held == flows.total_payout - flows.paid > 0  # sloppy has not claimed yet
    workers = {w.address: w for w in audit.workers}
    assert len(workers) == 4
    for account in (careful, careful2, sloppy):
        w = workers[account.address]
        payout = Payout.objects.get(job=job, worker__address=account.address)
        assert (w.leaf_index, w.amount) == (payout.index, int(payout.amount))
        assert w.amount == TOKEN * w.correct and w.verified_labels == w.labels == N_ITEMS
        (tx,) = w.label_txs
        assert tx.labels == N_ITEMS and tx.tx_hash.startswith("0x") and tx.block_number > 0
    assert workers[careful.address].claim_tx and not workers[sloppy.address].claim_tx
    assert workers[spammer.address].amount == 0 and workers[spammer.address].leaf_index is None
    # Reward follows accuracy: the sloppy worker earns less per label than the careful ones.
    assert workers[sloppy.address].reward_per_label < workers[careful2.address].reward_per_label


def test_the_exports_carry_the_same_audit(settled_job, client):
    client.force_login(settled_job.job.requester)
    as_json = client.get(f"/api/jobs/{settled_job.job.pk}/audit").json()
    assert as_json["anomalies"] == [] and as_json["flows"]["balanced"] is True
    assert as_json["flows"]["funded"] == str(BUDGET)

    response = client.get(f"/api/jobs/{settled_job.job.pk}/audit.csv", HTTP_ACCEPT="text/csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [r["row"] for r in rows] == ["label_tx"] * 4 + ["flow"]
    assert {r["worker"] for r in rows[:4]} == {w["address"] for w in as_json["workers"]}

    assert "data-audit-link" in client.get(f"/requester/jobs/{settled_job.job.pk}/").content.decode()
    page = client.get(f"/requester/jobs/{settled_job.job.pk}/audit").content.decode()
    assert "None: every token paid maps to labels the chain verified." in page
