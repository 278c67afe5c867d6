"""simulate_crowd against a live `manage.py serve` with a small demo job: bots sign in, qualify,
label through the real API, their EIP-712 batches are relayed and confirmed from the chain; the
spammers that fail qualification label nothing."""

from __future__ import annotations

import re
import sqlite3
import threading
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from apps.chain.local_chain import free_port
from apps.runtime.simulator import make_bots
from tests.runtime.test_serve import start_serve, stop_serve

pytestmark = pytest.mark.slow

WORKERS, SPAMMERS, LABELS, SEED = 4, 2, 10, 7


def confirmed_labels_by_worker(db_path: Path, job_id: int) -> dict[str, int]:
    query = """
        SELECT u.address, COUNT(*) FROM labeling_label l JOIN accounts_user u ON u.id = l.worker_id
        WHERE l.job_id = ? AND l.status = 'confirmed' GROUP BY u.address"""
    with sqlite3.connect(db_path) as db:
        return dict(db.execute(query, (job_id,)).fetchall())


def failed_qualifiers(db_path: Path, job_id: int) -> list[str]:
    query = """
        SELECT u.address FROM labeling_qualification q JOIN accounts_user u ON u.id = q.worker_id
        WHERE q.job_id = ? AND q.passed = 0"""
    with sqlite3.connect(db_path) as db:
        return [address for (address,) in db.execute(query, (job_id,))]


def test_simulated_crowd_labels_the_demo_job_through_api_and_chain(tmp_path, monkeypatch):
    monkeypatch.setenv("CROWDAL_DEMO_ITEMS", "60")
    http_port = free_port()
    process, lines = start_serve(tmp_path, http_port=http_port, chain_port=free_port())
    try:
        (job_id,) = {
            int(n) for n in re.findall(r"^demo job (\d+) label: http://\S+/jobs/\1/label$", "".join(lines), re.M)
        }
        # Keep reading the server's output: a full pipe would block its logging, and with it the server.
        threading.Thread(target=lines.extend, args=(process.stdout,), daemon=True).start()
        out = StringIO()
        call_command(
            "simulate_crowd",
            f"--job={job_id}",
            f"--workers={WORKERS}",
            f"--spammers={SPAMMERS}",
            "--accuracy=0.95",
            f"--labels-per-worker={LABELS}",
            f"--server=http://127.0.0.1:{http_port}",
            f"--seed={SEED}",
            stdout=out,
        )
        confirmed = confirmed_labels_by_worker(tmp_path / "db.sqlite3", job_id)
        failed = failed_qualifiers(tmp_path / "db.sqlite3", job_id)
    finally:
        stop_serve(process)

    bots = make_bots(workers=WORKERS, spammers=SPAMMERS, accuracy=(0.95, 0.95), seed=SEED)
    honest = {bot.account.address for bot in bots if bot.honest}
    spammers = {bot.account.address for bot in bots if not bot.honest}
    # The labels the summary reports as confirmed are the ones the indexer recorded from the chain.
    reported = int(re.search(r"confirmed (\d+)", out.getvalue().splitlines()[-1]).group(1))
    assert sum(confirmed.values()) == reported > 0
    assert set(confirmed) <= honest | spammers
    assert set(confirmed) & honest
    # Random answers on 10 classes fail a 3-of-5 round almost always; those bots were never served items.
    assert set(failed) & spammers
    assert not set(failed) & set(confirmed)
