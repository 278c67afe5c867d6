"""A job that exists both on chain (funded JobInstance on the session's anvil) and in the database
(LIVE, its instance address recorded), with gold items, and labelers signed in to the API."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from eth_account.signers.local import LocalAccount
from rest_framework.test import APIClient

from apps.chain.client import send
from apps.chain.handlers import handle_pending
from apps.chain.indexer import index_once
from apps.jobs.models import Job
from apps.labeling.models import Qualification
from tests.factories import make_job, make_user

NUM_ITEMS = 30
GOLD = {0: 0, 1: 1, 2: 2, 3: 0, 4: 1, 5: 2, 6: 0, 7: 1}  # item index -> class


@dataclass
class Labeler:
    account: LocalAccount
    user: object
    api: APIClient


@pytest.fixture
def labeler_for(db) -> Callable[[LocalAccount], Labeler]:
    def signed_in(account: LocalAccount) -> Labeler:
        user = make_user(account.address)
        api = APIClient()
        api.force_authenticate(user)  # the DRF views
        api.force_login(user)  # next-items is a plain Django view: a real session, as the page has
        return Labeler(account=account, user=user, api=api)

    return signed_in


@pytest.fixture
def chain_job(make_job, roles, settings) -> Job:
    """LIVE job: 30 text items (8 gold), 3 classes, 2 labels per item, qualification of 4 gold items at 0.75."""
    settings.CHAIN_CONFIRMATIONS = 0
    settings.LABELING_HONEYPOT_RATE = 0.0
    on_chain = make_job(num_items=NUM_ITEMS, num_classes=3, redundancy=2)
    return make_db_job(requester=make_user(roles.requester.address), instance_address=on_chain.instance.address)


def make_db_job(*, requester, instance_address: str = "", **fields) -> Job:
    return make_job(
        requester=requester,
        num_items=fields.pop("num_items", NUM_ITEMS),
        gold=fields.pop("gold", GOLD),
        redundancy=fields.pop("redundancy", 2),
        status=Job.Status.LIVE,
        instance_address=instance_address,
        qualification_size=4,
        qualification_bar=0.75,
        **fields,
    )


@pytest.fixture
def admitted(roles, labeler_for) -> Callable[[Job, LocalAccount], Labeler]:
    """A labeler admitted to the job without a qualification round (on chain and in the database)."""

    def admit(job: Job, account: LocalAccount) -> Labeler:
        from apps.chain.registry import job_instance

        labeler = labeler_for(account)
        sent = send(job_instance(job.instance_address).functions.admitWorkers([account.address]), sender=roles.oracle)
        Qualification.objects.create(job=job, worker=labeler.user, passed=True, admitted_tx=sent.tx_hash, attempts=1)
        return labeler

    return admit


def index_and_handle(w3) -> None:
    index_once(w3=w3)
    handle_pending()
