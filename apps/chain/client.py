"""The one place that talks JSON-RPC: a web3 connection, the platform's oracle account, and sending
a transaction with a clear error when it reverts."""

from __future__ import annotations

import threading
from collections import defaultdict
from contextlib import nullcontext
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from django.conf import settings
from eth_account import Account
from eth_account.signers.local import LocalAccount
from hexbytes import HexBytes
from web3 import Web3
from web3.contract.contract import ContractFunction
from web3.exceptions import ContractCustomError, ContractLogicError, TransactionNotFound
from web3.types import TxReceipt

from apps.chain.errors import ChainNotConfigured, TransactionFailed
from apps.chain.locks import SENDER_NONCE, advisory_lock


def rpc_url() -> str:
    if not settings.CHAIN_RPC_URL:
        raise ChainNotConfigured("CHAIN_RPC_URL is not set and no local chain was started")
    return settings.CHAIN_RPC_URL


@lru_cache(maxsize=8)
def _web3_for(url: str) -> Web3:
    # A node's chain id does not change: asked once per connection, not on every typed-data build.
    provider = Web3.HTTPProvider(
        url, request_kwargs={"timeout": 30}, cache_allowed_requests=True, cacheable_requests={"eth_chainId"}
    )
    return Web3(provider)


def get_web3() -> Web3:
    return _web3_for(rpc_url())


def oracle_account() -> LocalAccount:
    if not settings.ORACLE_PRIVATE_KEY:
        raise ChainNotConfigured("ORACLE_PRIVATE_KEY is not set")
    return Account.from_key(settings.ORACLE_PRIVATE_KEY)


def relayer_account() -> LocalAccount:
    """The key that pays gas for relayed batches and claims; it has no role on chain, so it is never
    the oracle's (a leaked relayer key costs its ETH, nothing else)."""
    if not settings.RELAYER_PRIVATE_KEY:
        raise ChainNotConfigured("RELAYER_PRIVATE_KEY is not set")
    return Account.from_key(settings.RELAYER_PRIVATE_KEY)


@dataclass(frozen=True)
class Sent:
    tx_hash: str
    receipt: TxReceipt

    @property
    def gas_used(self) -> int:
        return self.receipt["gasUsed"]


def _revert_reason(error: Exception, contract_function: ContractFunction | None) -> str:
    if isinstance(error, ContractCustomError) and contract_function is not None:
        data = error.data if isinstance(error.data, str) else ""
        for item in contract_function.contract_abi:
            if item.get("type") != "error":
                continue
            signature = f"{item['name']}({','.join(i['type'] for i in item['inputs'])})"
            if data.startswith(Web3.keccak(text=signature)[:4].to_0x_hex()):
                return item["name"]
    return str(error)


# Transactions of one key must take consecutive nonces: concurrent senders (the relayer serving
# several labelers, admissions, settlement) pick the nonce and submit under the key's lock — a thread
# lock in this process and, scaled out on PostgreSQL, an advisory lock across processes. The lock
# covers nonce and submission only, not the wait for the receipt. Only the server's own keys (oracle,
# relayer) are shared between processes; a labeler's or requester's key is used by one client.
_nonce_locks: defaultdict[str, threading.Lock] = defaultdict(threading.Lock)


@lru_cache(maxsize=4)
def _addresses_of(keys: tuple[str, ...]) -> frozenset[str]:
    return frozenset(Account.from_key(key).address for key in keys if key)


def _across_processes(address: str):
    if address in _addresses_of((settings.ORACLE_PRIVATE_KEY, settings.RELAYER_PRIVATE_KEY)):
        return advisory_lock(SENDER_NONCE, int(address, 16), wait=True)
    return nullcontext()


def send(contract_function: ContractFunction, *, sender: LocalAccount, value: int = 0, gas: int | None = None) -> Sent:
    """Sign with `sender`, send, wait for the receipt. Reverts raise TransactionFailed with the
    custom error's name (estimation runs the call first, so a revert never costs gas)."""
    return wait_for_receipt(contract_function.w3, submit(contract_function, sender=sender, value=value, gas=gas))


def submit(
    contract_function: ContractFunction, *, sender: LocalAccount, value: int = 0, gas: int | None = None
) -> HexBytes:
    """Sign with `sender` and send; returns the transaction hash without waiting for inclusion. With
    `gas` given nothing is estimated: run `simulate` first to learn of a revert before paying for it."""
    w3 = contract_function.w3
    with _nonce_locks[sender.address], _across_processes(sender.address):
        try:
            tx = contract_function.build_transaction(
                {
                    "from": sender.address,
                    "value": value,
                    "nonce": w3.eth.get_transaction_count(sender.address, "pending"),
                    **({"gas": gas} if gas else {}),
                }
            )
        except (ContractLogicError, ContractCustomError) as error:
            raise TransactionFailed(_revert_reason(error, contract_function)) from error
        return w3.eth.send_raw_transaction(sender.sign_transaction(tx).raw_transaction)


def simulate(contract_function: ContractFunction, *, sender: str, value: int = 0) -> None:
    """Run the call on the latest state (eth_call) from `sender`, carrying `value` wei; a revert raises
    TransactionFailed with the custom error's name. For checking a request before accepting it."""
    try:
        contract_function.call({"from": sender, "value": value})
    except (ContractLogicError, ContractCustomError) as error:
        raise TransactionFailed(_revert_reason(error, contract_function)) from error


class TxState(StrEnum):
    UNKNOWN = "unknown"  # the node does not know the hash: never sent there, or dropped
    WAITING = "waiting"  # in the node's mempool
    MINED = "mined"
    REVERTED = "reverted"


@dataclass(frozen=True)
class TxInfo:
    state: TxState
    sender: str = ""
    to: str = ""
    data: str = ""  # 0x hex of the calldata


def transaction_info(w3: Web3, tx_hash: str) -> TxInfo:
    """What the node knows of a transaction: who sent it where with what calldata, and whether it
    was mined (and succeeded)."""
    try:
        tx = w3.eth.get_transaction(tx_hash)
    except TransactionNotFound:
        return TxInfo(state=TxState.UNKNOWN)
    info = {"sender": tx["from"], "to": tx.get("to") or "", "data": HexBytes(tx["input"]).to_0x_hex()}
    if tx.get("blockNumber") is None:
        return TxInfo(state=TxState.WAITING, **info)
    try:
        receipt = w3.eth.get_transaction_receipt(tx_hash)
    except TransactionNotFound:  # mined an instant ago; the receipt is not served yet
        return TxInfo(state=TxState.WAITING, **info)
    return TxInfo(state=TxState.MINED if receipt["status"] == 1 else TxState.REVERTED, **info)


def send_raw(w3: Web3, raw_transaction: bytes) -> Sent:
    return wait_for_receipt(w3, w3.eth.send_raw_transaction(raw_transaction))


def wait_for_receipt(w3: Web3, tx_hash: HexBytes) -> Sent:
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash, timeout=120)
    if receipt["status"] != 1:
        raise TransactionFailed("transaction reverted", tx_hash.to_0x_hex())
    return Sent(tx_hash=tx_hash.to_0x_hex(), receipt=receipt)
