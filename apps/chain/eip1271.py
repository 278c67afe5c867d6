"""EIP-1271: ask a smart-contract wallet whether it accepts a signature over a hash.

Contract wallets (Safe, Argent, ...) have no private key; the contract itself decides. This needs the
chain the wallet lives on, so it answers only for the configured chain.
"""

from __future__ import annotations

import requests
from django.conf import settings
from web3.exceptions import BadFunctionCallOutput, ContractLogicError

from apps.chain.client import get_web3
from apps.chain.errors import ChainUnavailable

MAGIC_VALUE = bytes.fromhex("1626ba7e")  # bytes4(keccak256("isValidSignature(bytes32,bytes)"))
IS_VALID_SIGNATURE_ABI = [
    {
        "name": "isValidSignature",
        "type": "function",
        "stateMutability": "view",
        "inputs": [{"name": "hash", "type": "bytes32"}, {"name": "signature", "type": "bytes"}],
        "outputs": [{"name": "magicValue", "type": "bytes4"}],
    }
]


def is_valid_contract_signature(*, chain_id: int, address: str, message_hash: bytes, signature: bytes) -> bool:
    """True only if `address` on chain `chain_id` is a contract that returns the EIP-1271 magic value.

    False when no chain is configured or it is another chain (we cannot ask), when the address holds no
    contract, or when the contract refuses or reverts. ChainUnavailable when the node does not answer.
    """
    if not settings.CHAIN_RPC_URL:
        return False
    w3 = get_web3()
    try:
        if w3.eth.chain_id != chain_id:
            return False
        wallet = w3.eth.contract(address=address, abi=IS_VALID_SIGNATURE_ABI)
        return wallet.functions.isValidSignature(message_hash, signature).call() == MAGIC_VALUE
    except (BadFunctionCallOutput, ContractLogicError):
        return False
    except requests.RequestException as error:
        raise ChainUnavailable(f"chain node at {settings.CHAIN_RPC_URL} did not answer: {error}") from error
