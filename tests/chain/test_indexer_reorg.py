"""Reorganisations on a real anvil: orphaned events go, the new branch's come, cursors follow the chain."""

from __future__ import annotations

import pytest

from apps.chain.indexer import index_once
from apps.chain.models import ChainCursor, ChainEvent, IndexedBlock
from tests.chain.indexer_support import assert_index_matches_chain, deploy_watched_token, mine, mint, reorg


@pytest.fixture
def token(w3, db, settings):
    settings.CHAIN_CONFIRMATIONS = 0
    return deploy_watched_token(w3)


def minted_values(token) -> list[int]:
    minted = ChainEvent.objects.filter(name="Transfer", block_number__gt=token.deployed_at)
    return [event.args["value"] for event in minted.order_by("block_number")]


@pytest.mark.parametrize("extra_blocks", [0, 4], ids=["new-branch-shorter", "new-branch-longer"])
def test_reverting_to_a_snapshot_and_mining_other_blocks_replaces_the_orphaned_events(w3, token, extra_blocks):
    snapshot = w3.provider.make_request("evm_snapshot", [])["result"]
    for amount in (1, 2, 3):
        mint(token, w3.eth.accounts[1], amount)
    index_once(w3=w3)
    orphaned = set(ChainEvent.objects.filter(block_number__gt=token.deployed_at).values_list("tx_hash", flat=True))

    w3.provider.make_request("evm_revert", [snapshot])
    for amount in (10, 20):
        mint(token, w3.eth.accounts[2], amount)
    mine(w3, extra_blocks)
    result = index_once(w3=w3)

    assert result.fork_block == token.deployed_at
    assert minted_values(token) == [10, 20]
    assert not ChainEvent.objects.filter(tx_hash__in=orphaned).exists()
    assert_index_matches_chain(w3)
    assert ChainCursor.objects.get(address=token.address).block_number == w3.eth.block_number
    assert index_once(w3=w3).fork_block is None  # and the next pass finds nothing to roll back


def test_anvil_reorg_replacing_the_newest_blocks_with_other_transactions(w3, token):
    first, _, _ = [mint(token, w3.eth.accounts[1], amount) for amount in (1, 2, 3)]
    index_once(w3=w3)

    reorg(w3, 2, replay=[(token.functions.mint(w3.eth.accounts[2], 99), 1)])  # one empty block, one minting 99
    result = index_once(w3=w3)

    assert result.fork_block == first
    assert minted_values(token) == [1, 99]
    assert_index_matches_chain(w3)


@pytest.mark.parametrize("depth", [2, 4], ids=["above-the-cursor", "through-the-cursor"])
def test_a_reorganisation_during_a_scan_is_repaired_by_the_next_pass(w3, token, monkeypatch, depth):
    for amount in (1, 2):
        mint(token, w3.eth.accounts[1], amount)
    index_once(w3=w3)  # cursor at deployment + 2
    for amount in (3, 4, 5):
        mint(token, w3.eth.accounts[1], amount)
    real_get_logs = w3.eth.get_logs

    def get_logs_after_a_reorg(params):
        monkeypatch.setattr(w3.eth, "get_logs", real_get_logs)
        # between reading the end block's hash and fetching the logs; the new branch mints 42 in its 2nd block
        reorg(w3, depth, replay=[(token.functions.mint(w3.eth.accounts[2], 42), 1)])
        return real_get_logs(params)

    monkeypatch.setattr(w3.eth, "get_logs", get_logs_after_a_reorg)
    during = index_once(w3=w3)
    after = index_once(w3=w3)

    if depth == 2:  # only unindexed blocks changed: the scan commits, the next pass sees its stale end hash
        assert (during.chunks, after.fork_block) == (1, token.deployed_at + 3)
        assert minted_values(token) == [1, 2, 3, 42]
    else:  # an indexed block changed: the scan must not store the new branch above the orphaned event
        assert (during.chunks, after.fork_block) == (0, token.deployed_at + 1)
        assert minted_values(token) == [1, 42]
    assert_index_matches_chain(w3)


def test_a_chain_sharing_no_indexed_block_is_indexed_again_from_the_start(w3, db, settings):
    settings.CHAIN_CONFIRMATIONS = 0
    snapshot = w3.provider.make_request("evm_snapshot", [])["result"]
    mine(w3, 2)
    deploy_watched_token(w3)
    index_once(w3=w3)

    w3.provider.make_request("evm_revert", [snapshot])  # like a development chain started afresh
    # Empty blocks mined in the same second as the old ones would hash the same: move the clock.
    w3.provider.make_request("evm_increaseTime", [60])
    mine(w3, 10)
    result = index_once(w3=w3)

    assert result.fork_block == -1
    assert not ChainEvent.objects.exists()
    assert not ChainCursor.objects.exists()
    assert not IndexedBlock.objects.exists()
