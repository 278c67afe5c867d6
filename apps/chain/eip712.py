"""EIP-712 typed data for a label batch (or a bounding-box batch) a worker signs and the platform
relays to JobInstance.submitLabelsFor (submitBoxesFor). The domain is the job's clone
(verifyingContract = its address)."""

from __future__ import annotations

from collections.abc import Sequence

from eth_account.messages import encode_typed_data
from eth_account.signers.local import LocalAccount
from web3 import Web3

DOMAIN_NAME = "CrowdAL JobInstance"
DOMAIN_VERSION = "1"

TYPES = {
    "EIP712Domain": [
        {"name": "name", "type": "string"},
        {"name": "version", "type": "string"},
        {"name": "chainId", "type": "uint256"},
        {"name": "verifyingContract", "type": "address"},
    ],
    "LabelBatch": [
        {"name": "worker", "type": "address"},
        {"name": "itemIds", "type": "uint32[]"},
        {"name": "labels", "type": "uint8[]"},
        {"name": "nonce", "type": "uint64"},
    ],
}
BOX_BATCH_TYPE = [
    {"name": "worker", "type": "address"},
    {"name": "labels", "type": "bytes"},
    {"name": "commitments", "type": "bytes32[]"},
    {"name": "nonce", "type": "uint64"},
]


def _domain(*, chain_id: int, instance: str) -> dict:
    return {
        "name": DOMAIN_NAME,
        "version": DOMAIN_VERSION,
        "chainId": chain_id,
        "verifyingContract": Web3.to_checksum_address(instance),
    }


def label_batch_typed_data(
    *, chain_id: int, instance: str, worker: str, item_ids: Sequence[int], labels: Sequence[int], nonce: int
) -> dict:
    """The JSON-ready dict a browser passes to eth_signTypedData_v4."""
    return {
        "types": TYPES,
        "primaryType": "LabelBatch",
        "domain": _domain(chain_id=chain_id, instance=instance),
        "message": {
            "worker": Web3.to_checksum_address(worker),
            "itemIds": list(item_ids),
            "labels": list(labels),
            "nonce": nonce,
        },
    }


def box_batch_typed_data(
    *, chain_id: int, instance: str, worker: str, labels: bytes, commitments: Sequence[bytes], nonce: int
) -> dict:
    """BoxBatch for eth_signTypedData_v4: `labels` packed as in apps.chain.labels (label = min(box
    count, 15)), one 32-byte commitment per label; bytes travel as 0x hex."""
    return {
        "types": {"EIP712Domain": TYPES["EIP712Domain"], "BoxBatch": BOX_BATCH_TYPE},
        "primaryType": "BoxBatch",
        "domain": _domain(chain_id=chain_id, instance=instance),
        "message": {
            "worker": Web3.to_checksum_address(worker),
            "labels": "0x" + labels.hex(),
            "commitments": ["0x" + c.hex() for c in commitments],
            "nonce": nonce,
        },
    }


def sign_typed_data(*, account: LocalAccount, typed_data: dict) -> bytes:
    """65-byte signature (r, s, v), as eth_signTypedData_v4 returns it."""
    return account.sign_message(encode_typed_data(full_message=typed_data)).signature


def sign_label_batch(
    *, account: LocalAccount, chain_id: int, instance: str, item_ids: Sequence[int], labels: Sequence[int], nonce: int
) -> bytes:
    typed_data = label_batch_typed_data(
        chain_id=chain_id, instance=instance, worker=account.address, item_ids=item_ids, labels=labels, nonce=nonce
    )
    return sign_typed_data(account=account, typed_data=typed_data)
