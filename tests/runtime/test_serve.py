"""`manage.py serve` (what `make run` runs) brings the whole embedded stack up and takes it down."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.conf import settings

from apps.chain.local_chain import free_port, rpc_ready

pytestmark = pytest.mark.slow


def start_serve(
    var_dir: Path, *, http_port: int, chain_port: int, ignore_sigint: bool = False
) -> tuple[subprocess.Popen, list[str]]:
    env = {
        **os.environ,
        "CROWDAL_VAR_DIR": str(var_dir),
        "LOCAL_CHAIN_PORT": str(chain_port),
        "CHAIN_RPC_URL": "",
        "DATABASE_URL": f"sqlite:///{var_dir / 'db.sqlite3'}",
        "REDIS_URL": "",
        "PYTHONUNBUFFERED": "1",
        "CROWDAL_DEMO_ITEMS": os.environ.get("CROWDAL_DEMO_ITEMS", "0"),  # no demo unless a test asks
    }
    process = subprocess.Popen(
        [sys.executable, "manage.py", "serve", "--port", str(http_port)],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
        # As a shell script's `serve &` starts it: with SIGINT ignored.
        preexec_fn=(lambda: signal.signal(signal.SIGINT, signal.SIG_IGN)) if ignore_sigint else None,
    )
    lines: list[str] = []
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            raise AssertionError("serve exited early:\n" + "".join(lines))
        lines.append(line)
        if "CrowdAL is serving at" in line:
            return process, lines
    process.kill()
    raise AssertionError("serve did not come up:\n" + "".join(lines))


def stop_serve(process: subprocess.Popen) -> int:
    os.killpg(process.pid, signal.SIGINT)
    try:
        return process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # never leave a hung stack behind
        raise AssertionError("serve did not stop within 30 s of Ctrl-C") from None


def deployed_addresses(lines: list[str]) -> dict[str, str]:
    return dict(re.findall(r"^\s+(\w+): (0x[0-9a-fA-F]{40})$", "".join(lines), flags=re.M))


def test_serve_starts_stack_and_ctrl_c_stops_it(tmp_path):
    http_port, chain_port = free_port(), free_port()
    process, lines = start_serve(tmp_path, http_port=http_port, chain_port=chain_port)
    try:
        assert f"http://127.0.0.1:{http_port}/" in lines[-1]
        assert rpc_ready(f"http://127.0.0.1:{chain_port}")
        home = requests.get(f"http://127.0.0.1:{http_port}/", timeout=10)
        assert home.status_code == 200
        # The pages' CSS and the vendored npm libraries come from the same server, no CDN.
        for asset in ("static/css/site.css", "static/vendor/ethers.min.js"):
            assert requests.get(f"http://127.0.0.1:{http_port}/{asset}", timeout=10).status_code == 200, asset
        first = deployed_addresses(lines)
        assert {"CrowdToken", "JobManagement"} <= set(first)
    finally:
        stop_serve(process)
    # Ctrl-C took the chain down with the server.
    assert not rpc_ready(f"http://127.0.0.1:{chain_port}")

    # A restart keeps the chain state (anvil --state) and reuses the recorded deployment.
    process, lines = start_serve(tmp_path, http_port=http_port, chain_port=chain_port)
    try:
        assert deployed_addresses(lines) == first
    finally:
        stop_serve(process)


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_serve_started_in_the_background_stops_on_a_signal(tmp_path, stop_signal):
    http_port, chain_port = free_port(), free_port()
    process, _ = start_serve(tmp_path, http_port=http_port, chain_port=chain_port, ignore_sigint=True)
    os.kill(process.pid, stop_signal)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        raise AssertionError(f"serve ignored {stop_signal.name}") from None
    assert not rpc_ready(f"http://127.0.0.1:{chain_port}")


def test_a_killed_serve_leaves_no_chain_behind(tmp_path):
    http_port, chain_port = free_port(), free_port()
    process, _ = start_serve(tmp_path, http_port=http_port, chain_port=chain_port)
    assert rpc_ready(f"http://127.0.0.1:{chain_port}")
    process.kill()
    process.wait(timeout=10)
    deadline = time.monotonic() + 10
    while rpc_ready(f"http://127.0.0.1:{chain_port}") and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not rpc_ready(f"http://127.0.0.1:{chain_port}")
