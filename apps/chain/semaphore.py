"""PROVISIONAL (zk-web): the calls apps.anonymity makes on AnonymousLabels, written against the
interface zk-labels announced; their apps/chain/semaphore.py replaces this file at merge."""
from __future__ import annotations

from collections.abc import Sequence

from eth_account.signers.local import LocalAccount
from web3.exceptions import ContractCustomError, ContractLogicError

from apps.chain.client import Sent, _revert_reason, get_web3, send
from apps.chain.registry import contract


class ProofRejected(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _labels():
    return contract("AnonymousLabels", w3=get_web3())


def add_members(*, job: str, commitments: Sequence[int], sender: LocalAccount) -> Sent:
    return send(_labels().functions.addMembers(job, list(commitments)), sender=sender)


def _submit(*, job: str, item_id: int, label: int, proof):
    return _labels().functions.submitLabel(
        job, item_id, label, proof.merkle_tree_depth, proof.merkle_tree_root, proof.nullifier, list(proof.points)
    )


def check_label_proof(*, job: str, item_id: int, label: int, proof) -> None:
    call = _submit(job=job, item_id=item_id, label=label, proof=proof)
    try:
        call.call()
    except (ContractLogicError, ContractCustomError) as error:
        raise ProofRejected(_revert_reason(error, call)) from error


def submit_label(*, job: str, item_id: int, label: int, proof, sender: LocalAccount) -> Sent:
    return send(_submit(job=job, item_id=item_id, label=label, proof=proof), sender=sender)
