"""Settlement on a real anvil holds while a flagged worker it would pay is unreviewed: approve → paid
as usual; reject → no leaf, its share refunded to the requester; nothing counted twice."""

import io
import json

import numpy as np
import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.management import call_command

from apps.chain.client import send
from apps.classification import kind as classification_kind
from apps.integrity.models import ReviewDecision, WorkerFlag
from apps.jobs.services import stop_live_job
from apps.labeling.models import Label
from apps.rewards.models import Payout, Settlement
from apps.rewards.scheduling import SETTLEMENT_CHANNEL
from apps.rewards.screening import review_flag
from apps.rewards.selectors import claim_for
from apps.rewards.settlement import settle_job
from apps.storage.selectors import read_blob
from tests.chain_fixtures import BUDGET, stop_on_chain
from tests.factories import make_user


def held_job(labelled_job):
    """The settlement fixture's job, its labels timed like people's (lognormal around 2.5 s) except
    the careful worker's, which answers like a script (200 ms)."""
    job, chain_job, (careful, careful2, sloppy, spammer) = labelled_job
    rng = np.random.default_rng(0)
    labels = list(Label.objects.filter(job=job).select_related("worker"))
    for label in labels:
        label.answer_ms = 200 if label.worker.address == careful.address else int(rng.lognormal(np.log(2500), 0.6))
    Label.objects.bulk_update(labels, ["answer_ms"])
    stop_live_job(job_id=job.pk)
    stop_on_chain(job)
    settlement = settle_job(job_id=job.pk)
    return job, chain_job, settlement, (careful, careful2, sloppy, spammer)


@pytest.mark.django_db(transaction=True)
def test_held_then_approved_pays_as_usual(w3, labelled_job, settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    job, chain_job, settlement, (careful, _, _, spammer) = held_job(labelled_job)

    assert settlement.step == Settlement.Step.HELD
    assert not chain_job.instance.functions.escrowState().call()[2]  # no root on chain
    flags = {f.worker.address: f for f in WorkerFlag.objects.filter(job=job)}
    assert flags[careful.address].holds_payout and "too_fast" in json.dumps(flags[careful.address].signals)
    assert not flags[spammer.address].holds_payout  # flagged too, but earns nothing: no hold for it
    assert settle_job(job_id=job.pk).step == Settlement.Step.HELD  # rerun: still waiting, nothing sent

    review_flag(flag_id=flags[careful.address].pk, reviewer=job.requester, status="approved", note="fast but right")
    message = async_to_sync(get_channel_layer().receive)(SETTLEMENT_CHANNEL)
    assert message == {"type": "rewards.settle", "job_id": job.pk}  # the review resumed settlement

    done = settle_job(job_id=job.pk)
    assert done.step == Settlement.Step.DONE
    report = json.loads(read_blob(done.report_cid))
    paid = {w["address"]: int(w["amount"]) for w in report["workers"]}
    assert (
        paid[careful.address] > 0
        and Payout.objects.get(job=job, worker__address=careful.address).amount == paid[careful.address]
    )
    assert sum(paid.values()) == int(done.total) == chain_job.instance.functions.escrowState().call()[1]
    assert ReviewDecision.objects.filter(flag__worker__address=careful.address).count() == 2  # flagged, approved


@pytest.mark.django_db(transaction=True)
def test_held_then_rejected_withholds_and_refunds(w3, labelled_job, deployed, roles, settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    job, chain_job, settlement, (careful, careful2, sloppy, _) = held_job(labelled_job)
    flag = WorkerFlag.objects.get(job=job, worker__address=careful.address)

    review_flag(flag_id=flag.pk, reviewer=job.requester, status="rejected", note="script timing")
    call_command("settle", job=job.pk, stdout=io.StringIO())  # the operator's resume works too

    done = Settlement.objects.get(job=job)
    assert done.step == Settlement.Step.DONE
    report = json.loads(read_blob(done.report_cid))
    workers = {w["address"]: w for w in report["workers"]}
    assert workers[careful.address]["withheld"] is True and int(workers[careful.address]["amount"]) == 0
    assert workers[careful.address]["leaf_index"] is None
    assert not Payout.objects.filter(job=job, worker__address=careful.address).exists()
    others = sum(int(workers[a.address]["amount"]) for a in (careful2, sloppy))
    assert others > 0 and int(done.total) == others
    _, total, settled, _ = chain_job.instance.functions.escrowState().call()
    assert settled and total == others
    # On chain: the others claim, the requester's refund takes the rest, the withheld share included.
    instance, token = chain_job.instance, deployed.token
    for account in (careful2, sloppy):
        claim = claim_for(job=job, worker=make_user(account.address))
        send(instance.functions.claim(claim["index"], int(claim["amount"]), claim["proof"]), sender=account)
    before = token.functions.balanceOf(roles.requester.address).call()
    send(instance.functions.refund(), sender=roles.requester)
    refunded = token.functions.balanceOf(roles.requester.address).call() - before
    assert refunded == BUDGET - others and token.functions.balanceOf(instance.address).call() == 0
    assert token.functions.balanceOf(careful.address).call() == 0
    # Settling again changes nothing and pays nobody twice.
    assert settle_job(job_id=job.pk).root == done.root
    assert Payout.objects.filter(job=job).count() == 2
    assert ReviewDecision.objects.filter(flag=flag).values_list("status", flat=True).count() == 2
    assert make_user(careful.address).payouts.count() == 0


@pytest.mark.django_db(transaction=True)
def test_a_decision_taken_while_payouts_are_computed_counts(w3, labelled_job, settings, monkeypatch):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    job, _, _, (careful, *_) = held_job(labelled_job)
    flag = WorkerFlag.objects.get(job=job, worker__address=careful.address)
    review_flag(flag_id=flag.pk, reviewer=job.requester, status="approved", note="looks fine")
    compute = classification_kind.compute_settlement

    def requester_changes_its_mind_meanwhile(data):
        outcome = compute(data)
        if not data.withheld:
            review_flag(flag_id=flag.pk, reviewer=job.requester, status="rejected", note="on second thought")
        return outcome

    monkeypatch.setattr(classification_kind, "compute_settlement", requester_changes_its_mind_meanwhile)
    done = settle_job(job_id=job.pk)

    workers = {w["address"]: w for w in json.loads(read_blob(done.report_cid))["workers"]}
    assert done.step == Settlement.Step.DONE and workers[careful.address]["withheld"] is True
    assert not Payout.objects.filter(job=job, worker__address=careful.address).exists()
