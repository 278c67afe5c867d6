"""The indexer on a real anvil: every confirmed event once, in chunks, across crashes and restarts."""

from __future__ import annotations

import dataclasses
import logging
import threading

import pytest
from django.core.management import call_command

from apps.chain import indexer
from apps.chain.compiler import load_artifact
from apps.chain.handlers import hand_off
from apps.chain.indexer import index_once, run_indexer
from apps.chain.models import ChainCursor, ChainEvent, ContractDeployment
from tests.chain.indexer_support import assert_index_matches_chain, deploy_token, deploy_watched_token, mine, mint


@pytest.fixture
def token(w3, db, settings):
    settings.CHAIN_CONFIRMATIONS = 0
    return deploy_watched_token(w3)


def test_first_pass_stores_every_event_once_and_a_second_pass_nothing(w3, token):
    for amount in (1, 2, 3):
        mint(token, w3.eth.accounts[1], amount)

    first = index_once(w3=w3)
    second = index_once(w3=w3)

    # deployment: OwnershipTransferred + Transfer (initial supply); then three mints
    assert (first.events, second.events, second.chunks) == (5, 0, 0)
    assert_index_matches_chain(w3)
    minted = ChainEvent.objects.filter(name="Transfer", block_number__gt=token.deployed_at).order_by("block_number")
    assert [event.args for event in minted] == [
        {"from": "0x" + "00" * 20, "to": w3.eth.accounts[1], "value": amount} for amount in (1, 2, 3)
    ]
    assert {(e.address, e.contract, e.handled_at) for e in minted} == {(token.address, "CrowdToken", None)}
    cursor = ChainCursor.objects.get(address=token.address)
    assert cursor.block_number == w3.eth.block_number == first.safe_head


def test_values_beyond_javascript_integers_are_decimal_strings(w3, token):
    mint(token, w3.eth.accounts[1], 2**53 - 1)
    mint(token, w3.eth.accounts[1], 2**53)

    index_once(w3=w3)

    newest = ChainEvent.objects.filter(name="Transfer").order_by("-block_number")[:2]
    assert [event.args["value"] for event in newest] == [str(2**53), 2**53 - 1]


def test_events_within_the_confirmation_depth_wait_for_more_blocks(w3, token, settings):
    settings.CHAIN_CONFIRMATIONS = 3
    mine(w3, 3)
    block = mint(token, w3.eth.accounts[1], 7)

    def indexed() -> bool:
        index_once(w3=w3)
        return ChainEvent.objects.filter(block_number=block).exists()

    assert not indexed()
    mine(w3, 2)
    assert not indexed()  # head = block + 2
    mine(w3, 1)
    assert indexed()  # head = block + 3
    assert ChainCursor.objects.get(address=token.address).block_number == w3.eth.block_number - 3


def test_a_long_range_is_fetched_in_chunks_of_at_most_the_configured_size(w3, token, settings, monkeypatch):
    settings.CHAIN_MAX_BLOCK_RANGE = 4
    mint(token, w3.eth.accounts[1], 1)
    mine(w3, 9)
    mint(token, w3.eth.accounts[2], 2)
    mine(w3, 3)
    ranges = []
    real_get_logs = w3.eth.get_logs

    def recording_get_logs(params):
        ranges.append((params["fromBlock"], params["toBlock"]))
        return real_get_logs(params)

    monkeypatch.setattr(w3.eth, "get_logs", recording_get_logs)

    result = index_once(w3=w3)

    assert result.chunks == len(ranges) == 4  # 15 blocks after the deployment's
    assert ranges[0][0] == token.deployed_at
    assert all(0 < end - start + 1 <= 4 for start, end in ranges)
    assert all(later[0] == earlier[1] + 1 for earlier, later in zip(ranges, ranges[1:]))
    assert ranges[-1][1] == w3.eth.block_number
    assert_index_matches_chain(w3)


class Crash(Exception):
    pass


def test_a_crash_inside_a_commit_loses_nothing_and_duplicates_nothing(
    w3, token, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.CHAIN_MAX_BLOCK_RANGE = 2
    for amount in range(1, 6):
        mint(token, w3.eth.accounts[1], amount)
    real_bulk_create = ChainEvent.objects.bulk_create
    calls = 0

    def bulk_create_then_crash(rows, **options):
        nonlocal calls
        calls += 1
        created = real_bulk_create(rows, **options)
        if calls == 2:
            raise Crash("killed after the upsert, before the commit")
        return created

    monkeypatch.setattr(ChainEvent.objects, "bulk_create", bulk_create_then_crash)
    with django_capture_on_commit_callbacks() as handed_off, pytest.raises(Crash):
        index_once(w3=w3)

    # the first range committed with its cursor; the second left no trace
    cursor = ChainCursor.objects.get(address=token.address)
    assert cursor.block_number == token.deployed_at + 1
    assert set(ChainEvent.objects.values_list("block_number", flat=True)) == {token.deployed_at, token.deployed_at + 1}
    assert len(handed_off) == 1  # a rolled-back range hands nothing to the worker

    monkeypatch.undo()
    with django_capture_on_commit_callbacks() as handed_off_after_restart:
        index_once(w3=w3)
        index_once(w3=w3)

    assert_index_matches_chain(w3)
    assert ChainEvent.objects.count() == 2 + 5
    callbacks = handed_off + handed_off_after_restart
    assert all(callback.func is hand_off for callback in callbacks)
    handed_ids = [event_id for callback in callbacks for event_id in callback.args[0]]
    assert sorted(handed_ids) == sorted(ChainEvent.objects.values_list("pk", flat=True))


def test_a_log_whose_topic_the_abi_does_not_know_is_stored_undecoded(w3, token, monkeypatch, caplog):
    artifact = load_artifact("CrowdToken")
    without_transfer = [item for item in artifact.abi if item.get("name") != "Transfer"]
    monkeypatch.setattr(indexer, "load_artifact", lambda name: dataclasses.replace(artifact, abi=without_transfer))
    block = mint(token, w3.eth.accounts[1], 5)

    with caplog.at_level(logging.WARNING, logger="apps.chain.indexer"):
        index_once(w3=w3)

    event = ChainEvent.objects.get(block_number=block)
    log = w3.eth.get_logs({"fromBlock": block, "toBlock": block})[0]
    assert event.name == ""
    assert event.args == {"topics": [t.to_0x_hex() for t in log["topics"]], "data": "0x" + log["data"].hex()}
    assert "matches no event of its ABI" in caplog.text
    assert ChainEvent.objects.filter(name="OwnershipTransferred").exists()  # the rest still decodes


def test_contracts_recorded_as_deployed_are_watched_from_their_deployment_block(w3, db, settings):
    settings.CHAIN_CONFIRMATIONS = 0
    token = deploy_token(w3, initial_supply=5)
    mint(token, w3.eth.accounts[1], 1)
    ContractDeployment.objects.create(
        chain_id=w3.eth.chain_id,
        name="CrowdToken",
        address=token.address,
        block_number=token.deployed_at,
        bytecode_hash="0x",
    )

    index_once(w3=w3)

    assert ChainCursor.objects.get(address=token.address).contract == "CrowdToken"
    assert ChainEvent.objects.filter(address=token.address).count() == 3
    assert_index_matches_chain(w3)


def test_the_loop_survives_a_failing_pass_and_stops_when_asked(w3, token, monkeypatch):
    mint(token, w3.eth.accounts[1], 1)
    stop = threading.Event()
    passes = []

    def flaky_index_once(*, w3):
        passes.append(w3)
        if len(passes) == 1:
            raise ConnectionError("node unreachable")
        stop.set()
        return index_once(w3=w3)

    monkeypatch.setattr(indexer, "index_once", flaky_index_once)
    run_indexer(poll_seconds=0, stop=stop)

    assert len(passes) == 2
    assert ChainEvent.objects.count() == 3


def test_index_chain_once_reports_the_pass(w3, token, capsys):
    mint(token, w3.eth.accounts[1], 1)

    call_command("index_chain", "--once")

    assert f"chain {w3.eth.chain_id}: 3 events in 1 ranges" in capsys.readouterr().out
