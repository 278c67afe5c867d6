"""Contracts announced by an indexed event are watched from that event's block on.

JobManagement's JobCreated -> JobInstance is the production rule (last test); the others let a
CrowdToken mint to another token's address stand in for it, to control blocks and reorganisations."""

from __future__ import annotations

import pytest

from apps.chain import indexer
from apps.chain.deploy import deploy_unrecorded
from apps.chain.indexer import index_once, watch_contract
from apps.chain.models import ChainCursor, ChainEvent
from apps.chain.registry import contract_at
from tests.chain.indexer_support import (
    assert_index_matches_chain,
    deploy_token,
    deploy_watched_token,
    mint,
    reorg,
)


@pytest.fixture
def announcer(w3, db, settings, monkeypatch):
    settings.CHAIN_CONFIRMATIONS = 0
    monkeypatch.setitem(indexer.DISCOVERIES, ("CrowdToken", "Transfer"), ("CrowdToken", "to"))
    return deploy_watched_token(w3, initial_supply=0)


def in_one_block(w3, *calls) -> int:
    """Mine the calls, in order, into a single block; returns its number."""
    w3.provider.make_request("evm_setAutomine", [False])
    try:
        hashes = [call.transact({"from": w3.eth.accounts[0]}) for call in calls]
        w3.provider.make_request("evm_mine", [])
    finally:
        w3.provider.make_request("evm_setAutomine", [True])
    return w3.eth.wait_for_transaction_receipt(hashes[-1])["blockNumber"]


def test_an_announced_contract_is_indexed_from_the_announcing_block_on(w3, announcer):
    announced = deploy_token(w3, initial_supply=5)  # its deployment mint precedes the announcement
    block = in_one_block(
        w3,
        announcer.functions.mint(announced.address, 1),  # the announcement
        announced.functions.mint(w3.eth.accounts[1], 2),  # same block, after it
    )
    later = mint(announced, w3.eth.accounts[1], 3)

    index_once(w3=w3)

    cursor = ChainCursor.objects.get(address=announced.address)
    assert cursor.contract == "CrowdToken"
    assert cursor.discovered_by == ChainEvent.objects.get(address=announcer.address, block_number=block)
    transfers = ChainEvent.objects.filter(address=announced.address, name="Transfer").order_by("block_number")
    assert [(e.block_number, e.args["value"]) for e in transfers] == [(block, 2), (later, 3)]
    assert cursor.block_number == w3.eth.block_number


def test_a_watch_whose_announcement_is_orphaned_goes_with_it(w3, announcer):
    announced = deploy_token(w3)
    mint(announcer, announced.address, 1)
    mint(announced, w3.eth.accounts[1], 2)
    index_once(w3=w3)
    assert ChainCursor.objects.filter(address=announced.address).exists()

    reorg(w3, 2)
    index_once(w3=w3)

    assert not ChainCursor.objects.filter(address=announced.address).exists()
    assert not ChainEvent.objects.filter(address=announced.address).exists()
    assert_index_matches_chain(w3)


def test_a_job_created_by_job_management_gets_its_instance_watched(w3, db, settings, dev_accounts):
    settings.CHAIN_CONFIRMATIONS = 0
    requester = dev_accounts[0].address
    suite = deploy_unrecorded(w3=w3, deployer=dev_accounts[0])
    token = contract_at("CrowdToken", suite["CrowdToken"].address, w3=w3)
    management = contract_at("JobManagement", suite["JobManagement"].address, w3=w3)
    watch_contract(
        w3=w3, contract="JobManagement", address=management.address, from_block=suite["JobManagement"].block_number
    )
    for call in (token.functions.mint(requester, 1_000), token.functions.approve(management.address, 1_000)):
        w3.eth.wait_for_transaction_receipt(call.transact({"from": requester}))
    deadline = w3.eth.get_block("latest")["timestamp"] + 3_600
    create = management.functions.createJob(10, 2, 3, 5, deadline, 1_000, b"\x01" * 32)
    w3.eth.wait_for_transaction_receipt(create.transact({"from": requester}))

    index_once(w3=w3)

    created = ChainEvent.objects.get(name="JobCreated")
    assert created.args["jobId"] == 0
    assert created.args["requester"] == requester
    assert created.args["manifest"] == "0x" + "01" * 32
    instance = ChainCursor.objects.get(address=created.args["instance"])
    assert (instance.contract, instance.discovered_by) == ("JobInstance", created)
    assert instance.block_number == w3.eth.block_number
