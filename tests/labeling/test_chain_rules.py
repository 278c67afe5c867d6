"""Issue 11, attack 4: the API's rules hold for labels sent straight to JobInstance.submitLabels.
The contract takes such a vote (it only checks admission); the indexer records it REJECTED with the
reason the labeler sees in its batch list, and settlement's input (confirmed_label_rows) never
holds it. Each test sends the attacker's own transaction on anvil and indexes it for real."""

import pytest

from apps.chain.client import send
from apps.chain.labels import pack_labels
from apps.chain.registry import job_instance
from apps.jobs.models import GoldAnswer, GoldRole, Item, Job
from apps.jobs.services import stop_live_job
from apps.labeling.models import Label, Pause
from apps.labeling.selectors import confirmed_label_rows
from apps.quality.selectors import job_labels
from tests.labeling.batching import serve
from tests.labeling.conftest import GOLD, index_and_handle


def send_own_batch(job, account, labels: dict[int, int], w3) -> None:
    """The attacker's wallet calls submitLabels itself (item index -> class), then the indexer runs."""
    packed = pack_labels(item_ids=list(labels), labels=list(labels.values()))
    send(job_instance(job.instance_address, w3=w3).functions.submitLabels(packed), sender=account)
    index_and_handle(w3)


def rejections(labeler, job) -> list[tuple[int, str]]:
    """What the labeler's batch list says about its rejected labels."""
    batches = labeler.api.get(f"/api/jobs/{job.pk}/batches").json()["batches"]
    return [(entry["item"], entry["reason"]) for batch in batches for entry in batch["rejected"]]


def unpaid(job, worker) -> bool:
    """Not in what settlement computes payouts from (job_labels, the classification kind's input),
    nor in the confirmed rows export and audit read."""
    in_rows = [row for row in confirmed_label_rows(job=job) if row["worker__address"] == worker.address]
    return not in_rows and worker.pk not in job_labels(job=job).worker_ids


def test_a_paused_wallet_labelling_through_the_chain_is_rejected_and_unpaid(chain_job, admitted, dev_accounts, w3):
    labeler = admitted(chain_job, dev_accounts[3])
    served = serve(labeler, chain_job, 2)
    Pause.objects.create(job=chain_job, worker=labeler.user, honeypots=5, score=0.2)
    send_own_batch(chain_job, labeler.account, {item["index"]: 1 for item in served}, w3)
    assert set(Label.objects.values_list("status", flat=True)) == {"rejected"}
    assert [reason for _, reason in rejections(labeler, chain_job)] == ["Sent while you were paused in this job."] * 2
    assert unpaid(chain_job, labeler.user)


def test_an_item_never_served_to_the_wallet_is_rejected(chain_job, admitted, dev_accounts, w3):
    labeler = admitted(chain_job, dev_accounts[3])
    unserved = Item.objects.filter(job=chain_job, is_gold=False).order_by("-index").first()
    send_own_batch(chain_job, labeler.account, {unserved.index: 0}, w3)
    label = Label.objects.get()
    assert label.status == "rejected" and "never served to you" in label.rejection
    assert Item.objects.get(pk=unserved.pk).labels_taken == 1  # the contract counted the vote against the cap
    assert rejections(labeler, chain_job) == [(unserved.pk, label.rejection)]
    assert unpaid(chain_job, labeler.user)


def test_the_wallets_own_qualification_item_labelled_through_the_chain_is_rejected(
    chain_job, labeler_for, dev_accounts, w3
):
    labeler = labeler_for(dev_accounts[3])
    round_ = labeler.api.post(f"/api/jobs/{chain_job.pk}/qualification").json()
    while round_["item"]:  # a real round, answered right: its answers come back as feedback
        item = Item.objects.get(pk=round_["item"]["id"])
        reply = labeler.api.post(
            f"/api/jobs/{chain_job.pk}/qualification/answers",
            {"item": item.pk, "label": GOLD[item.index]},
            format="json",
        )
        assert reply.json()["correct_label"] == GOLD[item.index]
        round_ = labeler.api.get(f"/api/jobs/{chain_job.pk}/qualification").json()
    assert round_["state"] == "admitted"
    shown = Item.objects.get(pk=labeler.user.qualifications.get().item_ids[0])
    send_own_batch(chain_job, labeler.account, {shown.index: GOLD[shown.index]}, w3)
    label = Label.objects.get()
    assert label.status == "rejected" and "qualification" in label.rejection
    assert unpaid(chain_job, labeler.user)


def test_labels_sent_after_the_stop_are_not_paid(chain_job, admitted, dev_accounts, w3):
    labeler = admitted(chain_job, dev_accounts[3])
    served = serve(labeler, chain_job, 3)
    assert stop_live_job(job_id=chain_job.pk)
    send_own_batch(chain_job, labeler.account, {item["index"]: 2 for item in served}, w3)
    assert Job.objects.get(pk=chain_job.pk).status == Job.Status.STOPPED
    assert set(Label.objects.values_list("rejection", flat=True)) == {"Sent after the job stopped taking labels."}
    assert unpaid(chain_job, labeler.user)


def test_the_requester_cannot_label_its_own_job(chain_job, labeler_for, roles, w3):
    requester = labeler_for(roles.requester)
    refused = requester.api.post(f"/api/jobs/{chain_job.pk}/qualification")
    assert refused.status_code == 403 and "your own job" in refused.json()["detail"]
    # Admitted on chain anyway (say, by an oracle it runs), its own votes still do not count.
    send(
        job_instance(chain_job.instance_address, w3=w3).functions.admitWorkers([roles.requester.address]),
        sender=roles.oracle,
    )
    item = Item.objects.filter(job=chain_job, is_gold=False).first()
    send_own_batch(chain_job, roles.requester, {item.index: 0}, w3)
    assert Label.objects.get().rejection.startswith("This is your own job")
    assert unpaid(chain_job, requester.user)


@pytest.fixture
def honeypot_job(chain_job, settings):
    settings.LABELING_HONEYPOT_RATE = 1.0  # every new pick is a honeypot
    chain_job.honeypot_min = 3
    chain_job.save()
    return chain_job


def test_honeypots_answered_through_the_chain_count_towards_a_pause(honeypot_job, admitted, dev_accounts, w3):
    labeler = admitted(honeypot_job, dev_accounts[3])
    served = serve(labeler, honeypot_job, 3)
    assert {Item.objects.get(pk=item["id"]).gold_role for item in served} == {GoldRole.HONEYPOT}
    wrong = {item["index"]: (GoldAnswer.objects.get(item_id=item["id"]).label_index + 1) % 3 for item in served}
    send_own_batch(honeypot_job, labeler.account, wrong, w3)
    assert set(Label.objects.values_list("status", flat=True)) == {"confirmed"}  # served to it: they count
    pause = Pause.objects.get(worker=labeler.user)
    assert pause.honeypots == 3 and pause.score == 0
