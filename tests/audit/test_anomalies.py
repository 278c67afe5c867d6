"""Tampered database rows show up as anomalies: the chain and the report are the reference."""

import pytest

from apps.audit.selectors import job_audit
from apps.labeling.models import Label
from apps.rewards.models import Payout

pytestmark = pytest.mark.django_db(transaction=True)


def kinds(job) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for anomaly in job_audit(job=job).anomalies:
        found.setdefault(anomaly.kind, set()).add(anomaly.worker)
    return found


def test_tampered_rows_are_anomalies(settled_job):
    job, (careful, careful2, sloppy, _) = settled_job.job, settled_job.workers
    assert kinds(job) == {}

    # A label rewritten after the fact: the chain carried another class.
    label = Label.objects.filter(job=job, worker__address=careful.address).order_by("item__index").first()
    Label.objects.filter(pk=label.pk).update(label_index=(label.label_index + 1) % 3)
    # A payout row inflated.
    Payout.objects.filter(job=job, worker__address=careful2.address).update(amount=10**24)
    # A paid worker's labels gone from the database, and its payout recorded as claimed when it is not.
    Label.objects.filter(job=job, worker__address=sloppy.address).delete()
    Payout.objects.filter(job=job, worker__address=sloppy.address).update(claim_tx="0x" + "ee" * 32)

    found = kinds(job)

    assert found["label_not_on_chain"] == {careful.address.lower()}
    assert found["payout_not_in_report"] == {careful2.address.lower()}
    # careful: the report counts 70 labels, 69 still match the chain; sloppy: none left.
    assert found["payout_without_labels"] == {careful.address.lower(), sloppy.address.lower()}
    assert found["claim_not_on_chain"] == {sloppy.address.lower()}
    assert set(found) == {"label_not_on_chain", "payout_not_in_report", "payout_without_labels", "claim_not_on_chain"}


def test_a_label_pointing_at_another_transaction_is_not_verified(settled_job):
    job, (careful, careful2, *_) = settled_job.job, settled_job.workers
    other_tx = Label.objects.filter(job=job, worker__address=careful2.address).values_list("tx_hash", flat=True)[0]
    Label.objects.filter(job=job, worker__address=careful.address, item__index=40).update(tx_hash=other_tx)

    assert [(a.kind, a.worker) for a in job_audit(job=job).anomalies] == [
        ("label_not_on_chain", careful.address.lower()),
        ("payout_without_labels", careful.address.lower()),
    ]
