"""Contracts deployed with `deploy_contracts` (recorded in the test database) and funded jobs on
chain; shared by every test package that needs the chain (tests/conftest.py imports them)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.contract import Contract
from web3.logs import DISCARD

from apps.chain.client import Sent, send
from apps.chain.deploy import deploy_contracts
from apps.chain.registry import contract, job_instance


def events(contract: Contract, name: str, sent: Sent) -> list[dict]:
    # DISCARD: a receipt also holds other contracts' logs (e.g. the token's Transfer).
    return [dict(log["args"]) for log in getattr(contract.events, name)().process_receipt(sent.receipt, errors=DISCARD)]


TOKEN = 10**18
BUDGET = 1_000 * TOKEN
DAY = 86_400


@dataclass(frozen=True)
class Roles:
    oracle: LocalAccount  # anvil key 0, the settings' oracle and the deployer / owner
    requester: LocalAccount
    workers: list[LocalAccount]
    stranger: LocalAccount
    relayer: LocalAccount


@dataclass(frozen=True)
class Deployed:
    addresses: dict[str, str]
    token: Contract
    management: Contract


@dataclass(frozen=True)
class Job:
    instance: Contract
    job_id: int
    requester: LocalAccount
    budget: int
    deadline: int
    num_items: int
    num_classes: int
    redundancy: int
    created: Sent


@pytest.fixture
def roles(dev_accounts) -> Roles:
    return Roles(
        oracle=dev_accounts[0],
        requester=dev_accounts[1],
        workers=dev_accounts[2:7],
        stranger=dev_accounts[7],
        relayer=dev_accounts[8],
    )


@pytest.fixture
def deployed(w3: Web3, db, roles: Roles) -> Deployed:
    addresses = deploy_contracts(w3=w3, deployer=roles.oracle)
    return Deployed(
        addresses=addresses, token=contract("CrowdToken", w3=w3), management=contract("JobManagement", w3=w3)
    )


@pytest.fixture
def make_job(w3: Web3, deployed: Deployed, roles: Roles) -> Callable[..., Job]:
    """Create a funded job; keyword arguments override the defaults below."""

    def create(
        *,
        num_items: int = 100,
        num_classes: int = 4,
        redundancy: int = 3,
        price: int = TOKEN,
        budget: int = BUDGET,
        deadline_in: int = DAY,
        manifest: bytes = b"\x42" * 32,
        requester: LocalAccount | None = None,
    ) -> Job:
        requester = requester or roles.requester
        send(deployed.token.functions.mint(requester.address, budget), sender=roles.oracle)
        send(deployed.token.functions.approve(deployed.management.address, budget), sender=requester)
        deadline = w3.eth.get_block("latest")["timestamp"] + deadline_in
        created = send(
            deployed.management.functions.createJob(
                num_items, num_classes, redundancy, price, deadline, budget, manifest
            ),
            sender=requester,
        )
        (event,) = events(deployed.management, "JobCreated", created)
        return Job(
            instance=job_instance(event["instance"], w3=w3),
            job_id=event["jobId"],
            requester=requester,
            budget=budget,
            deadline=deadline,
            num_items=num_items,
            num_classes=num_classes,
            redundancy=redundancy,
            created=created,
        )

    return create


@pytest.fixture
def job(make_job, roles: Roles) -> Job:
    """A default job with every role-worker admitted (indexes 1..5 in order)."""
    created = make_job()
    send(created.instance.functions.admitWorkers([w.address for w in roles.workers]), sender=roles.oracle)
    return created


def stop_on_chain(job) -> Sent | None:
    """The requester closes labelling on chain (JobInstance.stop), as its wallet does from the job
    page, so a job stopped in the database (`job`, a jobs.Job) can be settled before its deadline.
    Test requesters are anvil development accounts; None when the chain has it stopped already."""
    from eth_account import Account

    from apps.chain.client import get_web3
    from apps.chain.local_chain import dev_private_keys

    instance = job_instance(job.instance_address, w3=get_web3())
    if instance.functions.settlementState().call()[0]:
        return None
    requester = instance.functions.params().call()[1]
    (key,) = [key for key in dev_private_keys(12) if Account.from_key(key).address == requester]
    return send(instance.functions.stop(), sender=Account.from_key(key))
