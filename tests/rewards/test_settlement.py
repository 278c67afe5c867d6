"""Settlement on a real anvil: truth and payout root on chain, payouts by verified accuracy, claims,
refund, and the state machine's idempotence and resumption."""

import io
import json

import pytest
from django.core.management import call_command
from rest_framework.test import APIRequestFactory, force_authenticate

from apps.chain.client import TransactionFailed, send
from apps.chain.models import ChainEvent
from apps.cockpit.controls_api import RefundCallApi
from apps.jobs.models import Job
from apps.jobs.services import stop_live_job
from apps.labeling.events import LabelsConfirmed, VoteKind
from apps.quality.selectors import item_aggregates
from apps.rewards import handlers
from apps.rewards import settlement as rewards_settlement
from apps.rewards.api import ClaimApi
from apps.rewards.models import Payout, Settlement
from apps.rewards.selectors import worker_balances
from apps.rewards.settlement import settle_job
from apps.storage.selectors import read_blob
from tests.chain_fixtures import BUDGET, TOKEN, events, stop_on_chain
from tests.factories import make_job as make_db_job
from tests.factories import make_labels, make_user
from tests.rewards.conftest import N_ITEMS, TRUTH


def claim_args(job, account) -> dict:
    request = APIRequestFactory().get(f"/api/jobs/{job.pk}/claim")
    force_authenticate(request, user=make_user(account.address))
    response = ClaimApi.as_view()(request, job_id=job.pk)
    assert response.status_code == 200, response.data
    return response.data


@pytest.mark.django_db(transaction=True)
def test_settle_claim_refund_end_to_end(w3, labelled_job, deployed, roles, settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    job, chain_job, (careful, careful2, sloppy, spammer) = labelled_job
    instance, token = chain_job.instance, deployed.token
    assert stop_live_job(job_id=job.pk)
    stop_on_chain(job)

    settlement = settle_job(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == Job.Status.SETTLED and settlement.step == Settlement.Step.DONE
    aggregates = item_aggregates(job)
    by_index = dict(job.items.values_list("index", "pk"))
    on_chain = [instance.functions.truth(i).call() for i in range(N_ITEMS)]
    assert on_chain == [aggregates[by_index[i]][0] for i in range(N_ITEMS)] == TRUTH
    assert "0x" + instance.functions.payoutRoot().call().hex() == settlement.root
    _, total, settled, _ = instance.functions.escrowState().call()
    assert settled and total == int(settlement.total) <= BUDGET

    report = json.loads(read_blob(settlement.report_cid))
    workers = {w["address"]: w for w in report["workers"]}
    assert report["root"] == settlement.root and len(report["label_txs"]) == 4
    assert int(workers[spammer.address]["amount"]) == 0 and workers[spammer.address]["leaf_index"] is None
    correct = [workers[a.address]["correct"] for a in (careful, careful2, sloppy)]
    assert correct == [N_ITEMS - 3, N_ITEMS - 2, N_ITEMS - 14]
    for account in (careful, careful2, sloppy):  # pay = price * labels * accuracy
        w = workers[account.address]
        assert int(w["amount"]) == TOKEN * w["correct"]
        assert w["accuracy"] == pytest.approx(w["correct"] / w["labels"])
    assert not Payout.objects.filter(job=job, worker__address=spammer.address).exists()

    for account in (careful, careful2, sloppy):
        args = claim_args(job, account)
        assert worker_balances(worker=make_user(account.address))["claimable"] == int(args["amount"])
        before = token.functions.balanceOf(account.address).call()
        sent = send(instance.functions.claim(args["index"], int(args["amount"]), args["proof"]), sender=account)
        assert token.functions.balanceOf(account.address).call() - before == int(args["amount"])
        (claimed,) = events(instance, "Claimed", sent)
        handlers.mark_claimed(ChainEvent(name="Claimed", address=instance.address, tx_hash=sent.tx_hash, args=claimed))
        assert worker_balances(worker=make_user(account.address))["claimable"] == 0
        with pytest.raises(TransactionFailed, match="AlreadyClaimed"):
            send(instance.functions.claim(args["index"], int(args["amount"]), args["proof"]), sender=account)

    request = APIRequestFactory().get(f"/api/jobs/{job.pk}/refund")
    force_authenticate(request, user=job.requester)
    call = RefundCallApi.as_view()(request, job_id=job.pk).data
    before = token.functions.balanceOf(roles.requester.address).call()
    tx = roles.requester.sign_transaction(
        {
            "to": call["to"],
            "data": call["data"],
            "gas": 200_000,
            "chainId": w3.eth.chain_id,
            "nonce": w3.eth.get_transaction_count(roles.requester.address),
            "gasPrice": w3.eth.gas_price,
        }
    )
    w3.eth.wait_for_transaction_receipt(w3.eth.send_raw_transaction(tx.raw_transaction))
    refunded = token.functions.balanceOf(roles.requester.address).call() - before
    paid = sum(int(workers[a.address]["amount"]) for a in (careful, careful2, sloppy))
    assert paid + refunded == BUDGET
    assert token.functions.balanceOf(instance.address).call() == 0
    handlers.mark_refunded(ChainEvent(name="Refunded", address=instance.address, args={}))
    job.refresh_from_db()
    assert job.status == Job.Status.REFUNDED


@pytest.mark.django_db(transaction=True)
def test_settling_again_sends_nothing_and_keeps_the_root(w3, labelled_job):
    job, chain_job, _ = labelled_job
    stop_live_job(job_id=job.pk)
    stop_on_chain(job)
    first = settle_job(job_id=job.pk)
    head = w3.eth.block_number

    assert settle_job(job_id=job.pk).root == first.root
    # A run killed after its transactions were mined but before it recorded them: the chain already
    # holds the same truth and root, so the rerun sends nothing.
    Settlement.objects.filter(pk=first.pk).update(step=Settlement.Step.COMPUTED)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.STOPPED)
    again = settle_job(job_id=job.pk)

    assert w3.eth.block_number == head
    assert again.step == Settlement.Step.DONE and again.root == first.root
    assert Payout.objects.filter(job=job).count() == 3


@pytest.mark.django_db(transaction=True)
def test_killed_after_truth_resumes_without_reposting(w3, labelled_job, monkeypatch):
    job, chain_job, (careful, *_) = labelled_job
    stop_live_job(job_id=job.pk)
    stop_on_chain(job)
    post_root = rewards_settlement._post_payout_root

    def crash(**kwargs):
        raise RuntimeError("worker killed")

    monkeypatch.setattr(rewards_settlement, "_post_payout_root", crash)
    with pytest.raises(RuntimeError):
        settle_job(job_id=job.pk)
    assert Settlement.objects.get(job=job).step == Settlement.Step.TRUTH_POSTED
    # The requester's stop closed labelling on chain: nothing can change the computed settlement.
    with pytest.raises(TransactionFailed, match="LabellingClosed"):
        send(chain_job.instance.functions.extendRedundancy([0], 1), sender=rewards_settlement.oracle_account())
    monkeypatch.setattr(rewards_settlement, "_post_payout_root", post_root)

    call_command("settle", job=job.pk, stdout=io.StringIO())  # the operator's resume
    settlement = Settlement.objects.get(job=job)

    assert settlement.step == Settlement.Step.DONE
    truth_posts = chain_job.instance.events.TruthPosted().get_logs(from_block=0)
    assert len(truth_posts) == 1  # 70 items fit one transaction; none was sent again
    assert [chain_job.instance.functions.truth(i).call() for i in range(N_ITEMS)] == TRUTH
    assert "0x" + chain_job.instance.functions.payoutRoot().call().hex() == settlement.root
    assert claim_args(job, careful)["index"] == Payout.objects.get(job=job, worker__address=careful.address).index


@pytest.mark.django_db
def test_budget_rule_stops_the_job_and_schedules_settlement(django_capture_on_commit_callbacks, settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    job = make_db_job(
        requester=make_user("0x" + "aa" * 20),
        num_items=4,
        status=Job.Status.LIVE,
        budget=3 * TOKEN,
        instance_address="0x" + "cd" * 20,
    )
    worker = make_user("0x" + "01" * 20)
    make_labels(job=job, worker=worker, labels={0: 1, 1: 1})
    event = LabelsConfirmed(job_id=job.pk, worker_ids=(worker.pk,), kind=VoteKind.CLASS)
    with django_capture_on_commit_callbacks(execute=True):
        handlers.check_budget_spent(event)
    job.refresh_from_db()
    assert job.status == Job.Status.LIVE  # 2 labels x 1 token < 3
    assert worker_balances(worker=worker, with_chain=False) == {"pending": 2 * TOKEN, "claimable": 0, "balance": None}

    make_labels(job=job, worker=make_user("0x" + "02" * 20), labels={0: 1})
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        handlers.check_budget_spent(event)
    job.refresh_from_db()
    assert job.status == Job.Status.STOPPED
    assert len(callbacks) == 3  # the check, then the settlement message and the dashboard push it scheduled
