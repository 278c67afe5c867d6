"""Shared fixtures: a real anvil chain (one per test session, snapshot/revert around each test),
anvil's development accounts, and access to the machine's PostgreSQL and Redis."""

from __future__ import annotations

import os

import pytest
from eth_account import Account
from web3 import Web3

from apps.chain.local_chain import dev_private_keys, start_local_chain
from tests.chain_fixtures import deployed, job, make_job, roles  # noqa: F401  (fixtures)
from tests.zk_fixtures import add_members, anonymous_labels, identities, prove  # noqa: F401  (fixtures)

# .ci/run sets this: a test that needs PostgreSQL or Redis must then fail, not skip, when one is missing.
REQUIRE_SERVICES = os.environ.get("CROWDAL_REQUIRE_SERVICES") == "1"


def missing_service(reason: str) -> None:
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (CROWDAL_REQUIRE_SERVICES=1 turns this skip into a failure)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def local_chain():
    with start_local_chain() as chain:
        yield chain


@pytest.fixture(scope="session")
def dev_accounts():
    return [Account.from_key(key) for key in dev_private_keys(10)]


@pytest.fixture
def w3(local_chain, settings):
    """A web3 connection to the session's anvil; chain state is reverted after each test."""
    settings.CHAIN_RPC_URL = local_chain.url
    web3 = Web3(Web3.HTTPProvider(local_chain.url))
    snapshot = web3.provider.make_request("evm_snapshot", [])["result"]
    yield web3
    web3.provider.make_request("evm_revert", [snapshot])


@pytest.fixture(scope="session")
def redis_url():
    import redis

    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError as error:
        missing_service(f"Redis not reachable at {url}: {error}")
    return url


@pytest.fixture
def postgres_db(db, settings):
    """For tests whose point is PostgreSQL behaviour (row locks, concurrency): the test database
    must be PostgreSQL, which `make test`'s second pass (DATABASE_URL set) provides."""
    from django.db import connection

    if connection.vendor != "postgresql":
        missing_service("needs PostgreSQL: run with DATABASE_URL=postgres://127.0.0.1:5432/test")
    return connection


@pytest.fixture(autouse=True)
def isolated_blob_store(settings, tmp_path):
    """Every test stores blobs in its own folder, never in var/."""
    settings.STORAGE_DIR = tmp_path / "blobs"
    settings.IPFS_API_URL = ""
