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
