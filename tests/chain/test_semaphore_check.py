"""The relayer checks a label proof with eth_call and gets the chain's reason before spending gas."""

from dataclasses import replace

import pytest

from apps.chain.client import TransactionFailed
from apps.chain.semaphore import LabelProof, MalformedProof, check_label_proof, submit_label_proof
from tests.zk_fixtures import LabelRequest


def test_check_gives_the_reason_before_any_gas_is_spent(
    w3, anonymous_labels, make_job, add_members, prove, identities, roles
):
    job = make_job()
    add_members(job, identities[:2])
    (proof,) = prove([LabelRequest(identities[0], job, 3, 2)], identities[:2])
    relayer = roles.relayer.address
    nonce, balance = w3.eth.get_transaction_count(relayer), w3.eth.get_balance(relayer)

    assert check_label_proof(proof=proof, sender=relayer, w3=w3) is None
    forged = check_label_proof(proof=replace(proof, label=1), sender=relayer, w3=w3)
    assert forged.startswith("InvalidProof()") and "does not verify" in forged
    unknown = check_label_proof(proof=replace(proof, merkle_tree_root=12345), sender=relayer, w3=w3)
    assert unknown.startswith("UnknownRoot(12345)")
    with pytest.raises(TransactionFailed, match="ClassOutOfRange"):
        submit_label_proof(proof=replace(proof, label=9), relayer=roles.relayer, w3=w3)
    assert (w3.eth.get_transaction_count(relayer), w3.eth.get_balance(relayer)) == (nonce, balance)

    submit_label_proof(proof=proof, relayer=roles.relayer, w3=w3)
    assert check_label_proof(proof=proof, sender=relayer, w3=w3).startswith(f"NullifierUsed({proof.nullifier})")


def test_malformed_proof_json_is_refused_with_a_clear_error():
    good = {
        "job": "0x" + "11" * 20,
        "itemId": 1,
        "label": 0,
        "merkleTreeDepth": 20,
        "merkleTreeRoot": "5",
        "nullifier": "6",
        "points": [str(i) for i in range(8)],
    }
    assert LabelProof.from_json(good).points == tuple(range(8))
    for field, value, message in (
        ("points", ["1"] * 7, "8 numbers"),
        ("merkleTreeDepth", 0, "between 1 and 32"),
        ("itemId", 2**32, "32 bits"),
        ("label", -1, "8 bits"),
        ("nullifier", "not a number", "not a label proof"),
        ("job", "0x1234", "not a label proof"),
        ("merkleTreeRoot", str(2**256), "256-bit"),
    ):
        with pytest.raises(MalformedProof, match=message):
            LabelProof.from_json({**good, field: value})
    with pytest.raises(MalformedProof, match="not a label proof"):
        LabelProof.from_json({k: v for k, v in good.items() if k != "points"})
