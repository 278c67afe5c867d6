"""The chain indexer: confirmed logs of our contracts become ChainEvent rows, exactly once, reorg-safe.

Modelled on web3.py's `EventScanner` example (eth_getLogs over block ranges, no node-side filters),
with three differences:

- The position is kept per watched contract (ChainCursor: number *and* hash of the last indexed
  block) and moves in the same database transaction as the events it covers, so a crash anywhere
  loses nothing and duplicates nothing; UNIQUE(chain_id, tx_hash, log_index) guards repeats as well.
- Reorganisations are detected rather than out-waited: each pass first compares the cursors' hashes
  with the chain; on a difference it walks back through IndexedBlock (the hashes of blocks we relied
  on) to the newest block still on the chain, deletes what lies above it and rescans. That walk is
  right because everything stored lies on one chain: one pass per chain at a time (a PostgreSQL
  advisory lock), and each commit first checks that the newest stored block is still on the chain.
- Contracts can be discovered: an event listed in DISCOVERIES (JobManagement's JobCreated) adds a
  watch on the contract it names, from that event's block on.

A pass: roll back a reorganisation if there was one, watch the deployed contracts, then repeatedly take
the cursors that lag furthest and fetch their logs with one eth_getLogs — at most CHAIN_MAX_BLOCK_RANGE
blocks, never past the next cursor position (so lagging cursors catch up and merge), never past
latest - CHAIN_CONFIRMATIONS — and commit. After each commit the event ids go to the worker.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.db import close_old_connections, transaction
from django.db.models import Max
from web3 import Web3
from web3.exceptions import BlockNotFound
from web3.types import LogReceipt

from apps.chain.client import get_web3
from apps.chain.compiler import load_artifact
from apps.chain.decoding import EventsByTopic, decode_log, events_by_topic
from apps.chain.handlers import hand_off, undo_orphaned
from apps.chain.locks import INDEXER_PASS, advisory_lock
from apps.chain.models import ChainCursor, ChainEvent, ContractDeployment, IndexedBlock

logger = logging.getLogger(__name__)

# Contracts recorded in ContractDeployment that are watched from their deployment block.
DEPLOYED_CONTRACTS = ("CrowdToken", "JobManagement", "AnonymousLabels")
# (emitting contract, event) -> (contract to watch, argument that holds its address)
DISCOVERIES: dict[tuple[str, str], tuple[str, str]] = {("JobManagement", "JobCreated"): ("JobInstance", "instance")}
# Hashes kept below the newest indexed block. A reorganisation deeper than this finds no common
# block and is handled like a replaced chain (a reset development chain): everything is indexed again.
REORG_HISTORY_BLOCKS = 1024


class StaleScan(Exception):
    """What a scan fetched no longer matches the chain or the database (the chain changed during the
    scan, or another process moved the cursors first): its transaction is dropped, the next pass redoes it."""


@dataclass(frozen=True)
class IndexResult:
    chain_id: int
    safe_head: int  # newest block this pass was allowed to index (latest - CHAIN_CONFIRMATIONS)
    chunks: int  # eth_getLogs ranges committed
    events: int  # logs stored by those commits (a range redone after a crash counts again)
    fork_block: int | None  # a reorganisation was rolled back to this block; -1: the chain was replaced
    busy: bool = False  # another indexer was running a pass on this chain, so this one did nothing


@dataclass(frozen=True)
class _Chunk:
    chain_id: int
    after_block: int  # the cursors' position: indexed already
    after_hash: str
    to_block: int
    cursors: tuple[ChainCursor, ...]


def index_once(*, w3: Web3) -> IndexResult:
    """One pass up to the confirmed head. Safe to repeat, to interrupt, and to run concurrently."""
    chain_id = w3.eth.chain_id
    safe_head = w3.eth.block_number - settings.CHAIN_CONFIRMATIONS
    # One pass per chain at a time across processes; another pass running means this one has nothing to do.
    with advisory_lock(INDEXER_PASS, chain_id, wait=False) as alone:
        if not alone:
            return IndexResult(chain_id=chain_id, safe_head=safe_head, chunks=0, events=0, fork_block=None, busy=True)
        fork_block = _roll_back_reorg(w3=w3, chain_id=chain_id)
        chunks = events = 0
        try:
            _watch_deployments(w3=w3, chain_id=chain_id)
            while chunk := _next_chunk(chain_id=chain_id, safe_head=safe_head):
                events += _index_chunk(w3=w3, chunk=chunk)
                chunks += 1
        except StaleScan as reason:
            logger.info("chain %s: pass stopped (%s); the next pass resumes from the database", chain_id, reason)
        _forget_old_blocks(chain_id=chain_id)
    return IndexResult(chain_id=chain_id, safe_head=safe_head, chunks=chunks, events=events, fork_block=fork_block)


def index_pass(*, w3: Web3, retry_in: float) -> None:
    """One pass as a long-running loop wants it: fresh connection, logged, never raising."""
    close_old_connections()  # a long-lived loop must not reuse a connection the server dropped
    try:
        result = index_once(w3=w3)
        if result.events or result.fork_block is not None:
            logger.info("indexed %s", result)
    except Exception:  # an unreachable node or a database blip must not end the loop; cursors make retries safe
        logger.exception("indexer pass failed; retrying in %ss", retry_in)


def run_indexer(*, poll_seconds: float | None = None, stop: threading.Event | None = None) -> None:
    """Index until `stop` is set (forever without one), one pass every `poll_seconds`."""
    stop = stop or threading.Event()
    interval = settings.CHAIN_POLL_SECONDS if poll_seconds is None else poll_seconds
    w3 = get_web3()
    while not stop.is_set():
        index_pass(w3=w3, retry_in=interval)
        stop.wait(interval)


def watch_contract(
    *, w3: Web3, contract: str, address: str, from_block: int, discovered_by: ChainEvent | None = None
) -> ChainCursor:
    """Index the events of `contract` (an artifact name, for the ABI) at `address` from `from_block`
    on. Idempotent per chain and address."""
    chain_id = w3.eth.chain_id
    address = Web3.to_checksum_address(address)
    existing = ChainCursor.objects.filter(chain_id=chain_id, address=address).first()
    if existing:
        return existing
    start = max(from_block - 1, 0)
    start_hash = _block_hash(w3, start)
    if start_hash is None:
        raise ValueError(f"block {start} is not on chain {chain_id}")
    with transaction.atomic():
        _record_blocks(chain_id=chain_id, hashes={start: start_hash})
        cursor, _ = ChainCursor.objects.get_or_create(
            chain_id=chain_id,
            address=address,
            defaults={
                "contract": contract,
                "block_number": start,
                "block_hash": start_hash,
                "discovered_by": discovered_by,
            },
        )
    return cursor


def _watch_deployments(*, w3: Web3, chain_id: int) -> None:
    watched = set(ChainCursor.objects.filter(chain_id=chain_id).values_list("address", flat=True))
    for deployment in ContractDeployment.objects.filter(chain_id=chain_id, name__in=DEPLOYED_CONTRACTS):
        if Web3.to_checksum_address(deployment.address) in watched:
            continue
        try:
            watch_contract(
                w3=w3, contract=deployment.name, address=deployment.address, from_block=deployment.block_number or 0
            )
        except ValueError as error:  # a deployment recorded on a chain since replaced: deploy_contracts redoes it
            logger.warning("not watching %s: %s", deployment, error)


def _block_hash(w3: Web3, number: int) -> str | None:
    """The chain's hash at `number`, None when the chain is shorter (a reorganisation can shorten it)."""
    try:
        return w3.eth.get_block(number)["hash"].to_0x_hex()
    except BlockNotFound:
        return None


def _roll_back_reorg(*, w3: Web3, chain_id: int) -> int | None:
    """If a cursor's block is no longer on the chain, delete everything above the newest block we
    know that still is, and move the cursors back to it. Returns that block, or None if nothing changed."""
    positions = (
        ChainCursor.objects.filter(chain_id=chain_id)
        .values_list("block_number", "block_hash")
        .distinct()
        .order_by("block_number")
    )
    changed = next((number for number, hash_ in positions if _block_hash(w3, number) != hash_), None)
    if changed is None:
        return None
    known = IndexedBlock.objects.filter(chain_id=chain_id, number__lt=changed).order_by("-number")
    fork = next((block for block in known if _block_hash(w3, block.number) == block.hash), None)
    with transaction.atomic():
        if fork is None:
            logger.warning("chain %s: no indexed block is on the chain any more; indexing it again", chain_id)
            undo_orphaned(ChainEvent.objects.filter(chain_id=chain_id).order_by("-pk"))
            for model in (ChainEvent, ChainCursor, IndexedBlock):
                model.objects.filter(chain_id=chain_id).delete()
            return -1
        orphaned = ChainEvent.objects.filter(chain_id=chain_id, block_number__gt=fork.number)
        undo_orphaned(orphaned.order_by("-pk"))  # newest first: the reverse of how they were handled
        # Deleting an orphaned event also deletes the watches it discovered (ChainCursor.discovered_by).
        orphaned.delete()
        IndexedBlock.objects.filter(chain_id=chain_id, number__gt=fork.number).delete()
        ChainCursor.objects.filter(chain_id=chain_id, block_number__gt=fork.number).update(
            block_number=fork.number, block_hash=fork.hash
        )
    logger.warning("chain %s: block %s changed (reorganisation); rolled back to %s", chain_id, changed, fork.number)
    return fork.number


def _next_chunk(*, chain_id: int, safe_head: int) -> _Chunk | None:
    """The cursors that lag furthest, and how far one eth_getLogs may take them."""
    positions = sorted(set(ChainCursor.objects.filter(chain_id=chain_id).values_list("block_number", flat=True)))
    if not positions or positions[0] >= safe_head:
        return None
    after = positions[0]
    cursors = tuple(ChainCursor.objects.filter(chain_id=chain_id, block_number=after))
    return _Chunk(
        chain_id=chain_id,
        after_block=after,
        after_hash=cursors[0].block_hash,
        to_block=min(after + settings.CHAIN_MAX_BLOCK_RANGE, safe_head, *positions[1:2]),
        cursors=cursors,
    )


def _index_chunk(*, w3: Web3, chunk: _Chunk) -> int:
    # The end hash is read before the logs, the newest stored block after them: a reorganisation at
    # any moment then either stops this scan, or leaves the stored end hash stale along with whatever
    # else it orphaned, which the next pass's walk-back finds.
    to_hash = _block_hash(w3, chunk.to_block)
    logs = w3.eth.get_logs(
        {"fromBlock": chunk.after_block + 1, "toBlock": chunk.to_block, "address": [c.address for c in chunk.cursors]}
    )
    newest = IndexedBlock.objects.filter(chain_id=chunk.chain_id).order_by("-number").first()
    if to_hash is None or (newest and _block_hash(w3, newest.number) != newest.hash):
        raise StaleScan(f"the chain changed during the scan of blocks {chunk.after_block + 1}..{chunk.to_block}")
    contract_of = {cursor.address: cursor.contract for cursor in chunk.cursors}
    decoders = {name: events_by_topic(w3=w3, abi=load_artifact(name).abi) for name in set(contract_of.values())}
    rows = [_event_row(chunk.chain_id, log, contract_of[log["address"]], decoders) for log in logs]
    with transaction.atomic():
        moved = ChainCursor.objects.filter(
            pk__in=[cursor.pk for cursor in chunk.cursors], block_number=chunk.after_block, block_hash=chunk.after_hash
        ).update(block_number=chunk.to_block, block_hash=to_hash)
        if moved != len(chunk.cursors):
            raise StaleScan("another pass moved these cursors first")
        hashes = {chunk.to_block: to_hash} | {row.block_number: row.block_hash for row in rows}
        _record_blocks(chain_id=chunk.chain_id, hashes=hashes)
        ChainEvent.objects.bulk_create(rows, ignore_conflicts=True)
        events = list(
            ChainEvent.objects.filter(
                chain_id=chunk.chain_id,
                address__in=contract_of,
                block_number__gt=chunk.after_block,
                block_number__lte=chunk.to_block,
            ).order_by("block_number", "log_index")
        )
        for event in events:
            _discover(w3=w3, event=event)
        # robust: the events are committed whatever happens to the message; the worker's sweep finds them.
        transaction.on_commit(partial(hand_off, [event.pk for event in events]), robust=True)
    return len(rows)


def _event_row(chain_id: int, log: LogReceipt, contract: str, decoders: dict[str, EventsByTopic]) -> ChainEvent:
    name, args = decode_log(log=log, events=decoders[contract])
    if not name:
        tx_hash = log["transactionHash"].to_0x_hex()
        logger.warning("%s log %s/%s matches no event of its ABI; stored undecoded", contract, tx_hash, log["logIndex"])
    return ChainEvent(
        chain_id=chain_id,
        block_number=log["blockNumber"],
        block_hash=log["blockHash"].to_0x_hex(),
        tx_hash=log["transactionHash"].to_0x_hex(),
        log_index=log["logIndex"],
        address=log["address"],
        contract=contract,
        name=name,
        args=args,
    )


def _discover(*, w3: Web3, event: ChainEvent) -> None:
    if found := DISCOVERIES.get((event.contract, event.name)):
        contract, argument = found
        watch_contract(
            w3=w3, contract=contract, address=event.args[argument], from_block=event.block_number, discovered_by=event
        )


def _record_blocks(*, chain_id: int, hashes: dict[int, str]) -> None:
    """Remember the hashes a commit relies on, for a later walk-back."""
    IndexedBlock.objects.bulk_create(
        [IndexedBlock(chain_id=chain_id, number=number, hash=hash_) for number, hash_ in hashes.items()],
        ignore_conflicts=True,
    )


def _forget_old_blocks(*, chain_id: int) -> None:
    """Keep REORG_HISTORY_BLOCKS of hashes, plus the newest one older than that as the walk-back floor."""
    blocks = IndexedBlock.objects.filter(chain_id=chain_id)
    newest = blocks.aggregate(newest=Max("number"))["newest"]
    if newest is None:
        return
    floor = blocks.filter(number__lte=newest - REORG_HISTORY_BLOCKS).aggregate(floor=Max("number"))["floor"]
    if floor is not None:
        blocks.filter(number__lt=floor).delete()
