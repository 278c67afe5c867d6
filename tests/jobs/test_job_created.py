"""Funding on a real anvil: the requester's createJob, sent with the parameters the funding endpoint
gives, makes the job LIVE once indexed; a JobCreated that differs in anything the server can check does not."""

from dataclasses import replace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.chain.client import send
from apps.chain.handlers import handle_pending
from apps.chain.indexer import index_once
from apps.jobs.models import GoldAnswer, GoldRole, Item, Job
from apps.jobs.selectors import FundingCall, funding_call
from apps.jobs.services import Upload, import_items, record_funding, send_funding
from tests.factories import make_job, make_user


@pytest.fixture
def draft(deployed, roles, settings) -> Job:
    """A text job of 3 items, imported and ready to fund, owned by the requester's wallet."""
    settings.CHAIN_CONFIRMATIONS = 0
    job = make_job(requester=make_user(roles.requester.address), num_items=0, budget=10 * 10**18)
    import_items(job=job, upload=Upload(files=[SimpleUploadedFile("t.csv", b"text\none\ntwo\nthree\n")]))
    return job


def create_on_chain(deployed, account, call: FundingCall, oracle):
    send(deployed.token.functions.mint(account.address, int(call.budget)), sender=oracle)
    return send_funding(call=call, account=account, w3=deployed.token.w3)


def index(w3) -> None:
    index_once(w3=w3)
    handle_pending()


def test_funding_call_states_the_jobs_terms(draft, deployed):
    call = funding_call(job=draft)

    assert (call.num_items, call.num_classes, call.redundancy) == (3, 3, 3)
    assert (call.budget, call.price_per_label) == (str(10 * 10**18), str(10**18))
    assert call.deadline == int(draft.deadline.timestamp())
    assert call.manifest == draft.manifest_digest
    assert (call.token, call.management) == (deployed.token.address, deployed.management.address)


def test_job_created_makes_the_job_live(draft, deployed, roles, w3):
    call = funding_call(job=draft)
    created = create_on_chain(deployed, roles.requester, call, roles.oracle)
    record_funding(job=draft, by=draft.requester, tx_hash=created.tx_hash)

    index(w3)

    draft.refresh_from_db()
    instance = deployed.management.functions.jobAt(0).call()
    assert draft.status == Job.Status.LIVE
    assert (draft.chain_id, draft.onchain_id, draft.instance_address) == (w3.eth.chain_id, 0, instance)
    assert draft.created_tx == created.tx_hash


OTHER_TERMS = {
    "num_items": lambda call: call.num_items + 1,
    "num_classes": lambda call: call.num_classes - 1,
    "redundancy": lambda call: call.redundancy - 1,
    "price_per_label": lambda call: str(2 * int(call.price_per_label)),
    "budget": lambda call: str(int(call.budget) + 1),
    "deadline": lambda call: call.deadline + 60,
    "manifest": lambda call: "0x" + "11" * 32,
}


@pytest.mark.parametrize("term", OTHER_TERMS)
def test_job_created_with_other_terms_leaves_the_job_waiting(draft, deployed, roles, w3, term):
    call = funding_call(job=draft)
    other = replace(call, **{term: OTHER_TERMS[term](call)})
    created = create_on_chain(deployed, roles.requester, other, roles.oracle)
    record_funding(job=draft, by=draft.requester, tx_hash=created.tx_hash)

    index(w3)

    draft.refresh_from_db()
    assert draft.status == Job.Status.FUNDING
    assert draft.onchain_id is None and draft.instance_address == ""


def test_job_created_by_another_wallet_does_not_match(draft, deployed, roles, w3):
    create_on_chain(deployed, roles.stranger, funding_call(job=draft), roles.oracle)

    index(w3)

    draft.refresh_from_db()
    assert draft.status == Job.Status.DRAFT


def test_going_live_splits_the_gold(draft, deployed, roles, w3):
    items = list(draft.items.order_by("index"))
    Item.objects.filter(pk__in=[items[0].pk, items[1].pk]).update(is_gold=True)  # as a gold file marks them
    GoldAnswer.objects.bulk_create([GoldAnswer(item=items[0], label_index=0), GoldAnswer(item=items[1], label_index=1)])
    call = funding_call(job=draft)
    record_funding(
        job=draft, by=draft.requester, tx_hash=create_on_chain(deployed, roles.requester, call, roles.oracle).tx_hash
    )

    index(w3)

    roles_now = dict(Item.objects.filter(job=draft).values_list("index", "gold_role"))
    assert roles_now == {0: GoldRole.QUALIFICATION, 1: GoldRole.QUALIFICATION, 2: ""}  # 2 gold: one round's worth
