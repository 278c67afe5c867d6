"""Anonymous labels (AnonymousLabels.sol, Semaphore v4): the proof's public inputs, checking a proof
with eth_call before paying gas, and relaying it.

A label proof is made in the labeler's browser (static/src/zk.js) with
`generateProof(identity, group, message, scope)`, where
- scope   = keccak256(abi.encode(chainId, AnonymousLabels, job, itemId))  -> one nullifier per (identity, job, item)
- message = keccak256(abi.encode(job, itemId, label))                     -> the proof is for this label only
and the circuit sees `semaphore_hash` of both (keccak256 of the 32-byte value, shifted into the SNARK
field). The server never sees an identity: it receives the proof, checks it here and relays it.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from eth_abi import decode as abi_decode
from eth_abi import encode as abi_encode
from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.contract import Contract
from web3.contract.contract import ContractFunction
from web3.exceptions import ContractCustomError, ContractLogicError

from apps.chain.client import Sent, TransactionFailed, send
from apps.chain.registry import contract

SNARK_SCALAR_FIELD = 21888242871839275222246405745257275088548364400416034343698204186575808495617
MAX_DEPTH = 32
PROOF_DEPTH = 20  # the browser's circuit depth (zk/label-proof.mjs PROOF_DEPTH)

# Custom errors of AnonymousLabels (and the LeanIMT library it uses) in words a labeler or operator reads.
REASONS = {
    "LabellingClosed": "labelling is closed for this job (deadline passed or settled)",
    "ItemOutOfRange": "no such item in this job",
    "ClassOutOfRange": "no such class in this job",
    "ItemFull": "this item already has all the anonymous labels it takes",
    "DepthNotSupported": "the proof's tree depth must be between 1 and 32",
    "UnknownRoot": (
        "the proof was made against a group root this job does not have (or no longer accepts): "
        "rebuild the group and prove again"
    ),
    "NullifierUsed": "this identity has already labelled this item",
    "InvalidProof": "the proof does not verify for this job, item and label",
    "MalformedBatch": "the batch's arrays differ in length or are empty",
    "NotOracle": "only the job's oracle adds members",
    "NoMembers": "no commitments given",
    "LeafAlreadyExists": "this identity commitment is already in the group",
    "LeafCannotBeZero": "an identity commitment cannot be zero",
    "LeafGreaterThanSnarkScalarField": "an identity commitment must be below the SNARK scalar field",
}


class MalformedProof(ValueError):
    """A label proof that cannot even be sent (wrong shape, out-of-range numbers)."""


@dataclass(frozen=True)
class LabelProof:
    """The arguments of AnonymousLabels.submitLabel."""

    job: str
    item_id: int
    label: int
    merkle_tree_depth: int
    merkle_tree_root: int
    nullifier: int
    points: tuple[int, ...]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LabelProof:
        """From what zk/label-proof.mjs `generateLabelProof` returns (numbers may be decimal strings)."""
        try:
            proof = cls(
                job=Web3.to_checksum_address(data["job"]),
                item_id=int(data["itemId"]),
                label=int(data["label"]),
                merkle_tree_depth=int(data["merkleTreeDepth"]),
                merkle_tree_root=int(data["merkleTreeRoot"]),
                nullifier=int(data["nullifier"]),
                points=tuple(int(p) for p in data["points"]),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise MalformedProof(f"not a label proof: {error}") from error
        proof.validate()
        return proof

    def validate(self) -> None:
        if not 0 <= self.item_id < 2**32:
            raise MalformedProof("itemId must fit in 32 bits")
        if not 0 <= self.label < 2**8:
            raise MalformedProof("label must fit in 8 bits")
        if not 1 <= self.merkle_tree_depth <= MAX_DEPTH:
            raise MalformedProof(f"merkleTreeDepth must be between 1 and {MAX_DEPTH}")
        if len(self.points) != 8:
            raise MalformedProof("points must be the 8 numbers of a packed Groth16 proof")
        if not all(0 <= n < 2**256 for n in (self.merkle_tree_root, self.nullifier, *self.points)):
            raise MalformedProof("root, nullifier and points must be unsigned 256-bit numbers")

    def args(self) -> tuple:
        return (
            self.job,
            self.item_id,
            self.label,
            self.merkle_tree_depth,
            self.merkle_tree_root,
            self.nullifier,
            list(self.points),
        )


def semaphore_hash(value: int) -> int:
    """What the circuit sees for a message or scope (Semaphore's `hash`): keccak256 of the 32-byte
    big-endian value, shifted right 8 bits into the SNARK field."""
    return int.from_bytes(Web3.keccak(value.to_bytes(32, "big")), "big") >> 8


def label_scope(*, chain_id: int, contract_address: str, job: str, item_id: int) -> int:
    """The `scope` a label proof for (job, item) is made with (AnonymousLabels.labelScope)."""
    encoded = abi_encode(["uint256", "address", "address", "uint32"], [chain_id, contract_address, job, item_id])
    return int.from_bytes(Web3.keccak(encoded), "big")


def label_message(*, job: str, item_id: int, label: int) -> int:
    """The `message` a label proof carries (AnonymousLabels.labelMessage)."""
    return int.from_bytes(Web3.keccak(abi_encode(["address", "uint32", "uint8"], [job, item_id, label])), "big")


def anonymous_labels(*, w3: Web3 | None = None) -> Contract:
    return contract("AnonymousLabels", w3=w3)


def revert_reason(error: Exception, function: ContractFunction) -> str:
    """`Name(args): explanation` for a custom error of the function's contract, else web3's message."""
    data = getattr(error, "data", None)
    if isinstance(error, ContractCustomError) and isinstance(data, str):
        for item in function.contract_abi:
            if item.get("type") != "error":
                continue
            types = [i["type"] for i in item["inputs"]]
            selector = Web3.keccak(text=f"{item['name']}({','.join(types)})")[:4].to_0x_hex()
            if data.startswith(selector):
                values = abi_decode(types, bytes.fromhex(data[10:])) if types else ()
                explanation = REASONS.get(item["name"], "")
                call = f"{item['name']}({', '.join(map(str, values))})"
                return f"{call}: {explanation}" if explanation else call
    return str(error)


def check_label_proof(*, proof: LabelProof, sender: str | None = None, w3: Web3 | None = None) -> str | None:
    """eth_call submitLabel as `sender` (the relayer): None when the chain would accept the proof now,
    else why not. Costs no gas; the relayer pays only for proofs that passed."""
    function = anonymous_labels(w3=w3).functions.submitLabel(*proof.args())
    try:
        function.call({"from": sender} if sender else {})
    except (ContractCustomError, ContractLogicError) as error:
        return revert_reason(error, function)
    return None


def submit_label_proof(*, proof: LabelProof, relayer: LocalAccount, w3: Web3 | None = None) -> Sent:
    """Relay a label proof from the relayer's account. Raises TransactionFailed with the reason when
    the chain rejects it (it is estimated first, so a rejected proof costs no gas)."""
    reason = check_label_proof(proof=proof, sender=relayer.address, w3=w3)
    if reason is not None:
        raise TransactionFailed(reason)
    return send(anonymous_labels(w3=w3).functions.submitLabel(*proof.args()), sender=relayer)


def node_prover(request: dict[str, Any]) -> Any:
    """Ask zk/semaphore.mjs (Node, local Semaphore artifacts) for identities or proofs: tests,
    benchmarks and scripted labelers use it; in the product the browser makes the proofs."""
    script = Path(settings.BASE_DIR) / "zk" / "semaphore.mjs"
    done = subprocess.run(
        ["node", str(script)], input=json.dumps(request), capture_output=True, text=True, timeout=600, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"zk/semaphore.mjs failed: {done.stderr.strip()}")
    return json.loads(done.stdout)
