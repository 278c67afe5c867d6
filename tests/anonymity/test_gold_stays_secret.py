"""Issue 11: in an anonymous job gold scores nobody (no wallet is behind a label), and a member that
saw gold answers in its wallet's qualification round could collect sure rewards with them. A label
on a gold item sent straight to AnonymousLabels (no relayer of ours) is recorded rejected, never
counted or paid; before the job is settled its status reads as the chain has it (confirmed), so it
does not point the gold item out."""

from apps.anonymity.models import AnonymousLabel
from apps.anonymity.selectors import confirmed_count, confirmed_labels
from apps.chain.semaphore import LabelProof, submit_label_proof
from apps.jobs.models import Item, Job
from apps.quality.selectors import job_labels
from tests.anonymity.conftest import label_proof, zk
from tests.labeling.conftest import GOLD, index_and_handle


def test_a_gold_label_sent_to_the_contract_is_not_counted(chain_anonymous_job, qualified, no_session, dev_accounts, w3):
    job = chain_anonymous_job
    labeler = qualified(job, dev_accounts[3])
    (identity,) = zk({"command": "identities", "count": 1})
    joined = labeler.api.post(
        f"/api/jobs/{job.pk}/anonymity/join", {"commitment": identity["commitment"]}, format="json"
    )
    assert joined.status_code == 201, joined.content
    index_and_handle(w3)
    group = no_session.get(f"/api/anon/jobs/{job.pk}/group").json()
    gold_index = min(GOLD)
    proof = label_proof(identity, group, item=gold_index, label=GOLD[gold_index])
    submit_label_proof(proof=LabelProof.from_json(proof), relayer=dev_accounts[7], w3=w3)  # its own relayer
    index_and_handle(w3)

    record = AnonymousLabel.objects.get()
    assert record.status == "rejected" and record.item.index == gold_index
    assert confirmed_labels(job=job) == [] and confirmed_count(job=job) == 0
    assert job_labels(job=job).labels.size == 0  # aggregation, learner and settlement read these
    assert Item.objects.get(job=job, index=gold_index).labels_taken == 1
    status = no_session.get(f"/api/anon/jobs/{job.pk}/labels/{proof['nullifier']}").json()
    assert (status["status"], status["error"]) == ("confirmed", "")

    Job.objects.filter(pk=job.pk).update(status=Job.Status.SETTLED)
    status = no_session.get(f"/api/anon/jobs/{job.pk}/labels/{proof['nullifier']}").json()
    assert status["status"] == "rejected" and "gold" in status["error"]
