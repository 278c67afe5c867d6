"""Turn raw logs into (event name, JSON arguments) with a contract's ABI.

JSON is what the database, the worker messages and the browsers share, so values are made safe for
JavaScript on the way in: integers beyond 2^53 - 1 become decimal strings, bytes become 0x hex.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from eth_abi.exceptions import DecodingError
from web3 import Web3
from web3.contract.base_contract import BaseContractEvent
from web3.exceptions import LogTopicError, MismatchedABI
from web3.types import LogReceipt

MAX_SAFE_INTEGER = 2**53 - 1

EventsByTopic = Mapping[str, BaseContractEvent]


def events_by_topic(*, w3: Web3, abi: list) -> EventsByTopic:
    """The ABI's non-anonymous events keyed by their topic 0 (keccak of the signature)."""
    events = w3.eth.contract(abi=abi).all_events()
    return {event.topic: event for event in events if not event.abi.get("anonymous")}


def json_safe(value: Any) -> Any:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value  # web3 already checksums decoded `address` values
    if isinstance(value, int):
        return value if abs(value) <= MAX_SAFE_INTEGER else str(value)
    if isinstance(value, (bytes, bytearray)):
        return "0x" + bytes(value).hex()
    if isinstance(value, Mapping):
        return {key: json_safe(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(item) for item in value]
    raise TypeError(f"cannot store a decoded {type(value).__name__} as JSON")


def decode_log(*, log: LogReceipt, events: EventsByTopic) -> tuple[str, dict]:
    """(name, args), or ("", {"topics", "data"}) when the ABI has no event matching the log."""
    event = events.get(log["topics"][0].to_0x_hex()) if log["topics"] else None
    if event is not None:
        try:
            decoded = event.process_log(log)
        except (MismatchedABI, LogTopicError, DecodingError):
            pass  # same signature, different indexed layout (ERC-20 vs ERC-721 Transfer): keep it raw
        else:
            return decoded["event"], json_safe(dict(decoded["args"]))
    return "", {"topics": [topic.to_0x_hex() for topic in log["topics"]], "data": "0x" + bytes(log["data"]).hex()}
