"""A real IPFS node serving kubo's RPC API, for the KuboBlobStore tests: js-ipfs (npm `ipfs-core`
with `ipfs-http-server`, the JavaScript IPFS implementation and its `/api/v0` server), installed
by `npm ci` and started by js_ipfs_node.mjs beside this file.

kubo itself cannot be had here: its npm package downloads the binary at install time. js-ipfs is
unmaintained; its dependency tree in package-lock.json was resolved as of its last release
(`npm install --before=2024-12-14`), since newer transitive releases break it.
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import requests
from django.conf import settings

SCRIPT = Path(__file__).with_name("js_ipfs_node.mjs")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _answers(api_url: str) -> bool:
    try:
        return requests.post(f"{api_url}/api/v0/version", timeout=1).ok
    except requests.RequestException:
        return False


@contextlib.contextmanager
def running_js_ipfs(repo: Path, *, timeout: float = 60.0) -> Iterator[str]:
    """Start an offline js-ipfs node on a fresh repo, its API on loopback; yield the API URL."""
    assert (Path(settings.NODE_MODULES_DIR) / "ipfs-core").is_dir(), "ipfs-core is missing: run `npm ci`"
    port = free_port()
    api_url = f"http://127.0.0.1:{port}"
    log_path = repo.with_name("js-ipfs.log")
    with open(log_path, "wb") as log:
        # cwd: Node resolves the script's imports from the project's node_modules.
        node = subprocess.Popen(
            ["node", str(SCRIPT), str(repo), str(port)],
            cwd=settings.BASE_DIR,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + timeout
            while not _answers(api_url):
                if node.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"js-ipfs did not start: {log_path.read_text()[-2000:]}")
                time.sleep(0.2)
            yield api_url
        finally:
            node.terminate()
            try:
                node.wait(timeout=15)
            except subprocess.TimeoutExpired:
                node.kill()
                node.wait()
