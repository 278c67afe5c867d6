"""The load scenario of issue 16 at small scale: 20 labelers, two servers, separate workers and
indexer, PostgreSQL + Redis, anvil with one-second blocks (benchmarks/load.py, run as it runs).
Under it, relayed batches sent at their estimate ran out of gas (refused by the chain) and a stop
right after acknowledgements settled on zero confirmed labels; now nothing acknowledged is lost,
none is refused, no 5xx, and after the stop every labeler with confirmed labels is paid. Figures
are the benchmark's to print, not asserted here."""

import json
import subprocess
import sys

import pytest
from django.conf import settings

from tests.conftest import missing_service

pytestmark = [pytest.mark.services, pytest.mark.slow]


def test_twenty_labelers_lose_nothing_and_a_stop_pays_everyone():
    import psycopg
    import redis

    try:
        psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres", connect_timeout=2).close()
        redis.Redis.from_url("redis://127.0.0.1:6379/12", socket_connect_timeout=1).ping()
    except (psycopg.Error, redis.RedisError) as error:
        missing_service(f"the load scenario needs PostgreSQL and Redis on this machine: {error}")
    run = subprocess.run(
        [
            sys.executable,
            "benchmarks/load.py",
            "--json",
            "--labelers",
            "20",
            "--seconds",
            "20",
            "--pool",
            "2000",
            "--drain",
            "60",
            "--stop",
            "--redis-db",
            "12",
        ],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-4000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["acknowledged"] > 0 and result["labels_recorded"] >= result["acknowledged"]
    assert (result["lost"], result["refused_by_chain"], result["http_5xx"], result["still_in_flight"]) == (
        0,
        0,
        0,
        0,
    ), result
    assert result["settlement_step"] == "done", result
    assert result["workers_paid"] == result["workers_with_confirmed_labels"] == 20, result
    assert result["confirmed_labels_unpaid"] == 0, result
