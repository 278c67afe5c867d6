"""An anonymous job in the database (LIVE; on chain when a test asks for `chain_anonymous_job`),
qualified labelers with sessions, and clients without one (as the anonymous page calls)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from eth_account.signers.local import LocalAccount
from rest_framework.test import APIClient

from apps.chain.semaphore import node_prover
from apps.jobs.models import Job
from apps.labeling.models import Qualification
from apps.labeling.qualification import NOT_ON_CHAIN_ANONYMOUS
from tests.factories import make_user
from tests.labeling.conftest import NUM_ITEMS, Labeler, labeler_for, make_db_job  # noqa: F401  (fixture)

# A commitment is any element of BN254's scalar field; these need no identity behind them.
COMMITMENT = 12345678901234567890123456789
NULLIFIER = 98765432109876543210987654321


@pytest.fixture
def anonymous_job(db, roles) -> Job:
    """Not on chain: for the checks that refuse a request before anything is sent."""
    return make_db_job(requester=make_user(roles.requester.address), anonymous=True, instance_address="0x" + "12" * 20)


@pytest.fixture
def qualified(labeler_for) -> Callable[[Job, LocalAccount], Labeler]:
    """A labeler that passed the job's qualification (an anonymous job admits no wallet on chain)."""

    def qualify(job: Job, account: LocalAccount) -> Labeler:
        labeler = labeler_for(account)
        Qualification.objects.create(
            job=job, worker=labeler.user, passed=True, admitted_tx=NOT_ON_CHAIN_ANONYMOUS, attempts=1
        )
        return labeler

    return qualify


@pytest.fixture
def no_session() -> APIClient:
    return APIClient()


def proof_body(*, job: Job, item: int, label: int, nullifier: int = NULLIFIER) -> dict:
    """A relay request shaped like a real one (what CrowdZK.generateLabelProof returns) whose proof
    would not verify: for the checks made before the chain is asked."""
    return {
        "job": job.instance_address,
        "itemId": item,
        "label": label,
        "merkleTreeDepth": 1,
        "merkleTreeRoot": "1",
        "nullifier": str(nullifier),
        "points": [str(k + 1) for k in range(8)],
    }


def zk(request: dict):
    """zk/semaphore.mjs (zk-labels' Node prover): identities and label proofs as a browser makes them."""
    return node_prover(request)


def label_proof(identity: dict, group: dict, *, item: int, label: int) -> dict:
    """A label proof made as the page makes it, from the group the server serves; the relay body."""
    return zk(
        {
            "command": "label_proof",
            "privateKey": identity["privateKey"],
            "members": group["members"],
            "chainId": group["chain_id"],
            "contract": group["contract"],
            "job": group["job"],
            "itemId": item,
            "label": label,
            "depth": max(1, (len(group["members"]) - 1).bit_length()),  # small circuits prove fast
        }
    )


@pytest.fixture
def chain_anonymous_job(make_job, roles, settings) -> Job:
    """A LIVE anonymous job on chain: 30 items (8 gold), 3 classes, 2 labels per item."""
    settings.CHAIN_CONFIRMATIONS = 0
    on_chain = make_job(num_items=NUM_ITEMS, num_classes=3, redundancy=2)
    job = make_db_job(
        requester=make_user(roles.requester.address), instance_address=on_chain.instance.address, anonymous=True
    )
    Job.objects.filter(pk=job.pk).update(chain_id=on_chain.instance.w3.eth.chain_id)
    job.refresh_from_db()
    return job
