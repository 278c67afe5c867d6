"""A reorganisation that orphans a confirmed AnonymousLabel event puts the label back to pending (it
keeps its item's slot, the confirmed count drops, the dashboard is told); when the relayer's
transaction lands on the new branch the same record confirms again, once."""

from apps.anonymity.models import AnonymousLabel
from apps.anonymity.selectors import confirmed_count
from apps.chain.client import relayer_account
from apps.chain.semaphore import LabelProof, submit_label_proof
from apps.cockpit.consumers import dashboard_group
from tests.anonymity.conftest import label_proof, zk
from tests.chain.indexer_support import reorg
from tests.labeling.conftest import index_and_handle
from tests.live_support import memory_layer, open_page, received  # noqa: F401  (fixture)


def test_an_orphaned_anonymous_label_goes_back_to_pending_and_confirms_again(
    chain_anonymous_job,
    qualified,
    no_session,
    dev_accounts,
    w3,
    memory_layer,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    job, layer = chain_anonymous_job, memory_layer
    labeler = qualified(job, dev_accounts[3])
    (identity,) = zk({"command": "identities", "count": 1})
    join = {"commitment": identity["commitment"]}
    reply = labeler.api.post(f"/api/jobs/{job.pk}/anonymity/join", join, format="json")
    assert reply.status_code == 201, reply.content
    index_and_handle(w3)
    group = no_session.get(f"/api/anon/jobs/{job.pk}/group").json()
    proof = label_proof(identity, group, item=10, label=2)
    assert no_session.post(f"/api/anon/jobs/{job.pk}/labels", proof, format="json").status_code == 202
    index_and_handle(w3)
    record = AnonymousLabel.objects.get()
    assert record.status == AnonymousLabel.Status.CONFIRMED and confirmed_count(job=job) == 1
    dashboard = open_page(layer, dashboard_group(job.pk))

    with django_capture_on_commit_callbacks(execute=True):
        reorg(w3, 1)  # the block holding the label is replaced by an empty one
        index_and_handle(w3)

    record.refresh_from_db()
    assert (record.status, record.block_number) == (AnonymousLabel.Status.PENDING, None)
    assert confirmed_count(job=job) == 0
    assert record.item.labels_taken == 1  # the pending label keeps its slot
    assert received(layer, dashboard) == ["dashboard.changed"]

    resent = submit_label_proof(proof=LabelProof.from_json(proof), relayer=relayer_account(), w3=w3)
    index_and_handle(w3)

    record.refresh_from_db()
    assert (record.status, record.tx_hash) == (AnonymousLabel.Status.CONFIRMED, resent.tx_hash)
    assert AnonymousLabel.objects.count() == 1 and confirmed_count(job=job) == 1
    record.item.refresh_from_db()
    assert record.item.labels_taken == 1
