"""Indexer passes that overlap store every event once."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from web3 import Web3

from apps.chain import indexer
from apps.chain.indexer import index_once
from apps.chain.models import ChainEvent
from tests.chain.indexer_support import assert_index_matches_chain, deploy_watched_token, mint


@pytest.fixture
def token(w3, settings):
    settings.CHAIN_CONFIRMATIONS = 0
    settings.CHAIN_MAX_BLOCK_RANGE = 2
    token = deploy_watched_token(w3)
    for amount in range(1, 8):
        mint(token, w3.eth.accounts[1], amount)
    return token


def other_connection(local_chain) -> Web3:
    return Web3(Web3.HTTPProvider(local_chain.url))


def test_a_pass_overtaken_by_another_drops_its_range(db, w3, token, local_chain, monkeypatch):
    real_get_logs = w3.eth.get_logs
    overtaking = []

    def get_logs_while_another_pass_runs(params):
        monkeypatch.setattr(w3.eth, "get_logs", real_get_logs)
        overtaking.append(index_once(w3=other_connection(local_chain)))
        return real_get_logs(params)

    monkeypatch.setattr(w3.eth, "get_logs", get_logs_while_another_pass_runs)
    overtaken = index_once(w3=w3)

    assert overtaking[0].events == 2 + 7
    assert overtaken.chunks == 0  # its cursor compare-and-set found the cursor moved
    assert_index_matches_chain(w3)


def in_thread(target) -> tuple[threading.Thread, list]:
    """Run `target` on a thread with its own database connection; the list receives its result or error."""
    outcome = []

    def run():
        try:
            outcome.append(target())
        except Exception as error:  # surfaced by the test's assertions
            outcome.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


@pytest.mark.services
def test_while_one_indexer_runs_a_pass_on_postgresql_another_stands_aside(
    postgres_db, transactional_db, w3, token, local_chain, monkeypatch
):
    monkeypatch.setattr(indexer, "hand_off", lambda event_ids: None)
    slow = other_connection(local_chain)
    inside, release = threading.Event(), threading.Event()
    real_get_logs = slow.eth.get_logs

    def held_get_logs(params):
        inside.set()
        release.wait(30)
        return real_get_logs(params)

    monkeypatch.setattr(slow.eth, "get_logs", held_get_logs)
    thread, outcome = in_thread(lambda: index_once(w3=slow))
    assert inside.wait(30)
    try:
        assert index_once(w3=w3).busy
    finally:
        release.set()
        thread.join(60)

    assert outcome[0].events == 2 + 7
    assert_index_matches_chain(w3)


@pytest.mark.services
def test_indexers_running_concurrently_on_postgresql_store_each_event_once(
    postgres_db, transactional_db, w3, token, local_chain, monkeypatch
):
    handed_off = []
    monkeypatch.setattr(indexer, "hand_off", handed_off.extend)
    start = threading.Barrier(4)

    def passes():
        node = other_connection(local_chain)
        start.wait(30)
        return [index_once(w3=node) for _ in range(5)]

    threads = [in_thread(passes) for _ in range(4)]
    mint(token, w3.eth.accounts[2], 100)  # while they run
    for thread, _ in threads:
        thread.join(120)
    index_once(w3=w3)

    errors = [outcome[0] for _, outcome in threads if isinstance(outcome[0], Exception)]
    assert not errors
    assert_index_matches_chain(w3)
    assert ChainEvent.objects.count() == 2 + 7 + 1
    assert sorted(handed_off) == sorted(ChainEvent.objects.values_list("pk", flat=True))
