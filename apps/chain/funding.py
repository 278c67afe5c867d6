"""Where wallets got their first ETH and tokens: the chain data behind the integrity app's common-funder
signal (apps/integrity). Sybil rings are usually one person's wallets, topped up from one wallet.

ETH arrives by plain transactions and by internal calls (a contract forwarding value), so the scan
asks the node for call traces (`trace_filter`, served by anvil, Erigon, Nethermind, Reth) and falls
back to reading every block's transactions in the range when the node has no trace API (that misses
internal transfers, and says so in `Funding.method`). Tokens arrive as ERC-20 Transfer logs, read
with eth_getLogs filtered on the recipient topic. Ranges are read in CHAIN_MAX_BLOCK_RANGE chunks.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass

from django.conf import settings
from eth_utils import to_checksum_address
from web3 import Web3

TRANSFER_TOPIC = Web3.keccak(text="Transfer(address,address,uint256)").to_0x_hex()
ZERO_ADDRESS = "0x" + "00" * 20


@dataclass(frozen=True)
class Transfer:
    kind: str  # "eth" or "token"
    source: str  # checksummed sender; for a mint, the transaction's sender (who had it minted)
    recipient: str
    tx_hash: str
    block_number: int


@dataclass(frozen=True)
class Funding:
    """The first ETH and token transfers into each address within [from_block, to_block] whose
    source is not ignored; `method` is how ETH was read ("trace" or "blocks")."""

    first: dict[str, dict[str, Transfer]]  # address -> kind -> transfer
    method: str


def _chunks(from_block: int, to_block: int) -> Iterator[tuple[int, int]]:
    step = max(1, settings.CHAIN_MAX_BLOCK_RANGE)
    for start in range(from_block, to_block + 1, step):
        yield start, min(start + step - 1, to_block)


def _topic(address: str) -> str:
    return "0x" + "00" * 12 + address[2:].lower()


def _eth_by_trace(w3: Web3, recipients: list[str], start: int, end: int) -> list[Transfer] | None:
    """None when the node has no trace API."""
    response = w3.provider.make_request(
        "trace_filter", [{"fromBlock": hex(start), "toBlock": hex(end), "toAddress": [a.lower() for a in recipients]}]
    )
    if "error" in response:
        return None
    transfers = []
    for trace in response["result"] or []:
        action = trace.get("action", {})
        if trace.get("type") != "call" or trace.get("error") or int(action.get("value", "0x0"), 16) == 0:
            continue
        transfers.append(
            Transfer(
                kind="eth",
                source=to_checksum_address(action["from"]),
                recipient=to_checksum_address(action["to"]),
                tx_hash=trace["transactionHash"],
                block_number=int(trace["blockNumber"]),
            )
        )
    return transfers


def _eth_by_blocks(w3: Web3, recipients: set[str], start: int, end: int) -> list[Transfer]:
    transfers = []
    for number in range(start, end + 1):
        for tx in w3.eth.get_block(number, full_transactions=True)["transactions"]:
            if tx["value"] and tx.get("to") and tx["to"].lower() in recipients:
                transfers.append(
                    Transfer(
                        kind="eth",
                        source=to_checksum_address(tx["from"]),
                        recipient=to_checksum_address(tx["to"]),
                        tx_hash=tx["hash"].to_0x_hex(),
                        block_number=number,
                    )
                )
    return transfers


def _token_transfers(w3: Web3, token: str, recipients: list[str], start: int, end: int) -> list[Transfer]:
    logs = w3.eth.get_logs(
        {
            "address": to_checksum_address(token),
            "fromBlock": start,
            "toBlock": end,
            "topics": [TRANSFER_TOPIC, None, [_topic(a) for a in recipients]],
        }
    )
    transfers = []
    for log in logs:
        source = "0x" + log["topics"][1].hex()[-40:]
        tx_hash = log["transactionHash"].to_0x_hex()
        if source == ZERO_ADDRESS:  # a mint: whoever sent the minting transaction funded the wallet
            source = w3.eth.get_transaction(tx_hash)["from"]
        transfers.append(
            Transfer(
                kind="token",
                source=to_checksum_address(source),
                recipient=to_checksum_address("0x" + log["topics"][2].hex()[-40:]),
                tx_hash=tx_hash,
                block_number=log["blockNumber"],
            )
        )
    return transfers


def first_funding(
    *,
    w3: Web3,
    addresses: Collection[str],
    token: str | None,
    from_block: int,
    to_block: int,
    ignored: Collection[str] = (),
) -> Funding:
    """Scan [from_block, to_block] once for all `addresses`; transfers from `ignored` sources (the
    platform's own accounts and contracts, known exchanges and faucets) do not count as funding."""
    recipients = [to_checksum_address(a) for a in addresses]
    skip = {a.lower() for a in ignored}
    first: dict[str, dict[str, Transfer]] = {a: {} for a in recipients}
    method = "trace"
    for start, end in _chunks(from_block, to_block) if recipients else ():
        pending = [a for a in recipients if len(first[a]) < (2 if token else 1)]
        if not pending:
            break
        eth = _eth_by_trace(w3, pending, start, end) if method == "trace" else None
        if eth is None:
            method = "blocks"
            eth = _eth_by_blocks(w3, {a.lower() for a in pending}, start, end)
        tokens = _token_transfers(w3, token, pending, start, end) if token else []
        for transfer in sorted(eth + tokens, key=lambda t: t.block_number):
            if transfer.source.lower() not in skip and transfer.source != transfer.recipient:
                first[transfer.recipient].setdefault(transfer.kind, transfer)
    return Funding(first=first, method=method)
