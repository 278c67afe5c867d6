"""Semaphore identities, anonymity groups on chain and label proofs made by zk/semaphore.mjs (Node,
the real Semaphore v4 artifacts); shared by the tests of anonymous labeling."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pytest
from web3 import Web3
from web3.contract import Contract

from apps.chain.client import Sent, send
from apps.chain.registry import contract
from apps.chain.semaphore import LabelProof, node_prover
from tests.chain_fixtures import Deployed, Job, Roles


@dataclass(frozen=True)
class Identity:
    private_key: str  # Identity.export(): stays in the labeler's browser in the product
    commitment: int


@pytest.fixture(scope="session")
def identities() -> list[Identity]:
    """Eight Semaphore identities, made once per session (Node start-up is slow on a busy machine)."""
    made = node_prover({"command": "identities", "count": 8})
    return [Identity(private_key=i["privateKey"], commitment=int(i["commitment"])) for i in made]


@pytest.fixture
def anonymous_labels(w3: Web3, deployed: Deployed) -> Contract:
    return contract("AnonymousLabels", w3=w3)


@pytest.fixture
def add_members(anonymous_labels: Contract, roles: Roles) -> Callable[..., Sent]:
    def add(job: Job, members: Sequence[Identity]) -> Sent:
        return send(
            anonymous_labels.functions.addMembers(job.instance.address, [m.commitment for m in members]),
            sender=roles.oracle,
        )

    return add


@dataclass(frozen=True)
class LabelRequest:
    identity: Identity
    job: Job
    item_id: int
    label: int


@pytest.fixture
def prove(w3: Web3, anonymous_labels: Contract) -> Callable[..., list[LabelProof]]:
    """Label proofs against a group of `members` (the job's commitments in join order), all made
    in one Node run. `depth` defaults to the group's own depth: small circuits prove fast, and the
    browser's depth-20 circuit has its own test."""

    def make(
        requests: Sequence[LabelRequest], members: Sequence[Identity], *, depth: int | None = None
    ) -> list[LabelProof]:
        tree_depth = depth or max(1, (len(members) - 1).bit_length())
        answers = node_prover(
            {
                "command": "label_proofs",
                "requests": [
                    {
                        "privateKey": r.identity.private_key,
                        "members": [str(m.commitment) for m in members],
                        "chainId": w3.eth.chain_id,
                        "contract": anonymous_labels.address,
                        "job": r.job.instance.address,
                        "itemId": r.item_id,
                        "label": r.label,
                        "depth": tree_depth,
                    }
                    for r in requests
                ],
            }
        )
        return [LabelProof.from_json(answer) for answer in answers]

    return make
