"""What can go wrong talking to the chain, as the apps above catch it."""

from __future__ import annotations

import requests
from web3.exceptions import ProviderConnectionError, TimeExhausted, Web3Exception


class ChainNotConfigured(RuntimeError):
    """No node to talk to, or no key to send with."""


class ChainUnavailable(RuntimeError):
    """The node did not answer a call whose answer we need now (e.g. a contract wallet's signature check)."""


class TransactionFailed(RuntimeError):
    """A transaction was rejected before mining or reverted on chain; `reason` says why."""

    def __init__(self, reason: str, tx_hash: str | None = None):
        super().__init__(reason if not tx_hash else f"{reason} (tx {tx_hash})")
        self.reason = reason
        self.tx_hash = tx_hash


# Errors from the node or the connection to it (the node refused the call, timed out, was away), as
# opposed to a transaction the contract rejected (TransactionFailed).
NODE_ERRORS = (Web3Exception, OSError)

# The node is away or too slow (not: it answered with a refusal): the request may simply be repeated
# later. The API answers these 503 with a retry hint (registered with apps.lib.errors in ready()).
NODE_UNREACHABLE = (
    ChainUnavailable,
    ProviderConnectionError,
    TimeExhausted,
    requests.exceptions.ConnectionError,
    requests.exceptions.Timeout,
    ConnectionError,
    TimeoutError,
)
