"""The contract calls that relay a labeler's signed batch (EIP-712) from the relayer key, each with
the gas limit of its worst case (apps/chain/gas.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from web3.contract.contract import ContractFunction

from apps.chain.client import get_web3
from apps.chain.gas import relayed_batch_gas
from apps.chain.registry import job_instance


@dataclass(frozen=True)
class RelayCall:
    call: ContractFunction
    gas: int


def _hex(value: str) -> bytes:
    return bytes.fromhex(value.removeprefix("0x"))


def label_batch_call(*, instance: str, worker: str, packed: str, nonce: int, signature: str) -> RelayCall:
    """submitLabelsFor of a batch `packed` as apps.chain.labels packs it (0x hex)."""
    call = job_instance(instance, w3=get_web3()).functions.submitLabelsFor(worker, _hex(packed), nonce, _hex(signature))
    return RelayCall(call=call, gas=relayed_batch_gas(labels=len(_hex(packed)) // 4))


def box_batch_call(
    *, instance: str, worker: str, packed: str, commitments: Sequence[str], nonce: int, signature: str
) -> RelayCall:
    """submitBoxesFor: the box votes `packed`, with one box-set commitment (0x hex) per vote."""
    call = job_instance(instance, w3=get_web3()).functions.submitBoxesFor(
        worker, _hex(packed), [_hex(c) for c in commitments], nonce, _hex(signature)
    )
    return RelayCall(call=call, gas=relayed_batch_gas(labels=len(commitments), commitments=len(commitments)))
