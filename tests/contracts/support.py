"""Helpers shared by the contract tests (fixtures live in conftest.py)."""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import pytest
from eth_account import Account
from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.contract import Contract

from apps.chain.client import Sent, TransactionFailed, send
from apps.chain.labels import pack_labels
from tests.chain_fixtures import events  # noqa: F401  (re-exported for the contract tests)


@contextmanager
def reverts_with(error: str) -> Iterator[None]:
    """The transaction inside must revert with the custom error named `error` (or a message containing it)."""
    with pytest.raises(TransactionFailed) as failure:
        yield
    assert error in failure.value.reason, failure.value.reason


def funded_accounts(w3: Web3, count: int) -> list[LocalAccount]:
    accounts = [Account.create() for _ in range(count)]
    for account in accounts:
        w3.provider.make_request("anvil_setBalance", [account.address, hex(10**20)])
    return accounts


def advance_time(w3: Web3, seconds: int) -> None:
    w3.provider.make_request("evm_increaseTime", [seconds])
    w3.provider.make_request("evm_mine", [])


def submit(instance: Contract, worker: LocalAccount, items: Sequence[int], labels: Sequence[int]) -> Sent:
    return send(instance.functions.submitLabels(pack_labels(item_ids=items, labels=labels)), sender=worker)


def error_selector(signature: str) -> str:
    """Hex selector of a custom error raised by another contract (e.g. the token under SafeERC20)."""
    return Web3.keccak(text=signature)[:4].hex()


def label_disjoint(instance: Contract, workers: Sequence[LocalAccount], counts: Sequence[int]) -> None:
    """Each worker labels its own run of items, `counts[i]` of them."""
    first = 0
    for worker, count in zip(workers, counts):
        label_items(instance, worker, count, first=first)
        first += count


def settle_root(job, oracle: LocalAccount, root: bytes, total: int, cid: str = "report") -> Sent:
    """Post a payout root the way settlement does: the requester closes labelling first (a root is
    accepted only then), then `settle` with no truth words."""
    stopped = job.instance.functions.settlementState().call()[0]
    if not stopped:
        send(job.instance.functions.stop(), sender=job.requester)
    return send(job.instance.functions.settle(0, [], root, total, cid), sender=oracle)


def label_items(instance: Contract, worker: LocalAccount, count: int, *, first: int = 0) -> None:
    """`worker` labels items first .. first + count - 1 (class 0), so a leaf up to count × price is
    earned. Callers give workers disjoint ranges where more than `redundancy` label."""
    for start in range(first, first + count, 32):
        items = list(range(start, min(start + 32, first + count)))
        send(instance.functions.submitLabels(pack_labels(item_ids=items, labels=[0] * len(items))), sender=worker)


# AnonymousLabels storage: _groups (slot 0) maps a job to a Group whose labelCount is its 9th word
# (LeanIMTData's four, rootCount, rootSeq, nullifierUsed, tally, labelCount).
_GROUP_LABEL_COUNT_OFFSET = 8


def set_anonymous_label_count(w3: Web3, anonymous_labels: Contract, job: str, count: int) -> None:
    """Give `job` `count` anonymous labels without proving each (AnonymousRewards tests use made-up
    nullifiers); the view confirms the slot, so a changed layout fails here, not silently."""
    base = int.from_bytes(Web3.keccak(bytes.fromhex(job[2:].rjust(64, "0")) + bytes(32)), "big")
    slot = hex(base + _GROUP_LABEL_COUNT_OFFSET)
    w3.provider.make_request("anvil_setStorageAt", [anonymous_labels.address, slot, "0x" + count.to_bytes(32, "big").hex()])
    assert anonymous_labels.functions.anonymousLabelCount(job).call() == count
