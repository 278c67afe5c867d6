"""A local anvil node started from the project's own npm dependency (Foundry's node, shipped as a
binary inside `@foundry-rs/anvil-linux-amd64`). Used by `manage.py serve`, the tests and the benchmarks.
"""

from __future__ import annotations

import ctypes
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests
from django.conf import settings

# anvil's default mnemonic; its keys are public development keys, never used on a real chain.
ANVIL_MNEMONIC = "test test test test test test test test test test test junk"
ANVIL_CHAIN_ID = 31337
PR_SET_PDEATHSIG = 1  # linux/prctl.h


class LocalChainError(RuntimeError):
    pass


def anvil_binary() -> Path:
    path = Path(settings.NODE_MODULES_DIR) / ".bin" / "anvil"
    if path.exists():
        return path
    found = shutil.which("anvil")
    if found:
        return Path(found)
    raise LocalChainError("anvil not found: run `npm ci` (package @foundry-rs/anvil-linux-amd64)")


def _end_with_parent() -> None:
    """In the child before exec: ask for SIGTERM when the parent dies (prctl PR_SET_PDEATHSIG)."""
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rpc_ready(url: str) -> bool:
    try:
        reply = requests.post(url, json={"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []}, timeout=1)
        return reply.ok and "result" in reply.json()
    except (requests.RequestException, ValueError):
        return False


@dataclass
class LocalChain:
    """A running anvil process; `stop()` (or leaving the `with` block) ends it."""

    port: int
    process: subprocess.Popen
    url: str = field(init=False)

    def __post_init__(self) -> None:
        self.url = f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.process.poll() is None:
            # SIGTERM lets anvil write its --state file before exiting.
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self) -> LocalChain:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def start_local_chain(
    *,
    port: int | None = None,
    block_time: float | None = None,
    state_path: Path | None = None,
    log_path: Path | None = None,
    timeout: float = 20.0,
    die_with_parent: bool = False,
) -> LocalChain:
    """Start anvil and wait until it answers JSON-RPC.

    block_time None means automine (a block per transaction, what tests want); a number mines on a
    clock so confirmations accrue as on a real chain. state_path keeps the chain across restarts.
    die_with_parent: the kernel ends anvil when the calling thread's process dies, even by SIGKILL
    (Linux; call it from the thread that lives as long as the process).
    """
    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    if rpc_ready(url):
        raise LocalChainError(f"port {port} already serves a chain; stop it or set LOCAL_CHAIN_PORT")
    command = [str(anvil_binary()), "--host", "127.0.0.1", "--port", str(port), "--chain-id", str(ANVIL_CHAIN_ID)]
    # Twelve funded accounts: keys 10 and 11 are the embedded relayer and guardian (settings).
    command += ["--accounts", "12"]
    if block_time:
        command += ["--block-time", str(block_time)]
    if state_path:
        state_path.parent.mkdir(parents=True, exist_ok=True)
        command += ["--state", str(state_path)]
    log = open(log_path, "ab") if log_path else subprocess.DEVNULL
    process = subprocess.Popen(
        command,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        preexec_fn=_end_with_parent if die_with_parent else None,
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise LocalChainError(f"anvil exited with code {process.returncode}: {' '.join(command)}")
        if rpc_ready(url):
            return LocalChain(port=port, process=process)
        time.sleep(0.05)
    process.kill()
    raise LocalChainError(f"anvil did not answer on {url} within {timeout}s")


def dev_private_keys(count: int = 10) -> list[str]:
    """anvil's development keys (derived from its public mnemonic), for dev and test only."""
    from eth_account import Account

    Account.enable_unaudited_hdwallet_features()
    return [
        Account.from_mnemonic(ANVIL_MNEMONIC, account_path=f"m/44'/60'/0'/0/{i}").key.to_0x_hex() for i in range(count)
    ]
