"""The embedded stack `manage.py serve` runs in one process: a local anvil (unless CHAIN_RPC_URL
points elsewhere), migrated database, deployed contracts, the ASGI server, and — since daphne sends
no ASGI lifespan events — the Channels worker and the chain indexer as tasks on the server's own
event loop, so they start and stop with it."""

from __future__ import annotations

import asyncio

from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from channels.worker import Worker
from django.conf import settings
from django.core.management import call_command

from apps.chain.client import get_web3, oracle_account
from apps.chain.deploy import deploy_contracts
from apps.chain.handlers import WORKER_CHANNEL
from apps.chain.indexer import index_pass
from apps.chain.local_chain import LocalChain, start_local_chain
from apps.labeling.scheduling import BATCH_CHANNEL
from apps.learning.handlers import LEARNER_CHANNEL
from apps.rewards.scheduling import SETTLEMENT_CHANNEL


def start_embedded_chain() -> LocalChain | None:
    """Start anvil when no external chain is configured; its state survives restarts in var/."""
    if settings.CHAIN_RPC_URL:
        return None
    settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
    chain = start_local_chain(
        port=settings.LOCAL_CHAIN_PORT,
        block_time=settings.LOCAL_CHAIN_BLOCK_TIME,
        state_path=settings.VAR_DIR / "anvil-state.json",
        log_path=settings.VAR_DIR / "anvil.log",
        die_with_parent=True,  # a killed server leaves no anvil behind
    )
    settings.CHAIN_RPC_URL = chain.url
    return chain


def prepare_database_and_contracts() -> dict[str, str]:
    settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
    call_command("migrate", interactive=False, verbosity=0)
    return deploy_contracts(w3=get_web3(), deployer=oracle_account())


async def run_indexer_loop() -> None:
    # The pass runs in a thread, but its hand-off to the worker comes back to this loop, which the
    # in-memory channel layer needs (it is bound to one event loop).
    w3, interval = get_web3(), settings.CHAIN_POLL_SECONDS
    while True:
        await sync_to_async(index_pass, thread_sensitive=False)(w3=w3, retry_in=interval)
        await asyncio.sleep(interval)


class EagerWorker(Worker):
    """Channels' worker, except that it starts each channel's consumer at once rather than with the
    channel's first message: the sweeping consumers (chain events, settlements) then catch up after
    a restart even when no message comes. `manage.py runworker` uses it too."""

    async def handle(self) -> None:
        for channel in self.channels:
            self.get_or_create_application_instance(channel, {"type": "channel", "channel": channel})
        await super().handle()


async def start_worker(application) -> None:
    channels = [WORKER_CHANNEL, LEARNER_CHANNEL, SETTLEMENT_CHANNEL, BATCH_CHANNEL]
    await EagerWorker(application=application, channels=channels, channel_layer=get_channel_layer()).arun()


def start_background_tasks(application) -> list[asyncio.Task]:
    """Called on the server's event loop right before it starts serving."""
    return [asyncio.ensure_future(start_worker(application)), asyncio.ensure_future(run_indexer_loop())]
