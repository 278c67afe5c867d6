"""Several processes sending with the server's key (oracle/relayer) take consecutive nonces: on
PostgreSQL an advisory lock spans processes, so no transaction is lost to a nonce clash."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings as django_settings

from apps.chain.client import oracle_account
from tests.chain.indexer_support import deploy_token

pytestmark = pytest.mark.services

PROCESSES, EACH = 3, 12


def test_processes_sharing_the_oracle_key_lose_no_transaction(postgres_db, w3, local_chain):
    token = deploy_token(w3)
    oracle = oracle_account().address
    start_nonce = w3.eth.get_transaction_count(oracle)
    env = {
        **os.environ,
        "CHAIN_RPC_URL": local_chain.url,
        # A deployment on localhost: its own key, plain http.
        "SECRET_KEY": "local-test-deployment-key",
        "HTTPS": "0",
        "ORACLE_PRIVATE_KEY": django_settings.ORACLE_PRIVATE_KEY,
        "DATABASE_URL": os.environ["DATABASE_URL"],  # the same PostgreSQL: the lock lives there
    }
    senders = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.chain.send_as_oracle", token.address, w3.eth.accounts[3], str(EACH)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=django_settings.BASE_DIR,
        )
        for _ in range(PROCESSES)
    ]
    results = []
    for sender in senders:
        out, err = sender.communicate(timeout=180)
        assert sender.returncode == 0, err[-2000:]
        results.append(json.loads(out.strip().splitlines()[-1]))

    assert [r["errors"] for r in results] == [[]] * PROCESSES
    assert sum(r["mined"] for r in results) == PROCESSES * EACH
    assert w3.eth.get_transaction_count(oracle) == start_nonce + PROCESSES * EACH
