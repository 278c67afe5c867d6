"""The Python mirrors of contract constants equal the contracts' own public constants: a contract
change that the server's copy does not follow fails here instead of as a reverted transaction."""
import pytest
from eth_utils import keccak

from apps.boxes.geometry import CLASS_LIMIT
from apps.boxes.kind import ONCHAIN_BOX_CLASSES
from apps.chain import anonymous_rewards, eip712
from apps.chain.labels import LABEL_LIMIT
from apps.chain.registry import contract
from apps.jobs.services import MAX_CLASSES, MAX_REDUNDANCY
from apps.learning.services import MAX_VOTES

MIRRORS = [
    ("JobManagement", "MAX_CLASSES", MAX_CLASSES),
    ("JobManagement", "MAX_REDUNDANCY", MAX_REDUNDANCY),
    ("JobInstance", "MAX_CLASSES", LABEL_LIMIT),
    ("JobInstance", "MAX_CLASSES", ONCHAIN_BOX_CLASSES),
    ("JobInstance", "MAX_CLASSES", CLASS_LIMIT),
    ("JobInstance", "MAX_VOTES", MAX_VOTES),
    ("AnonymousLabels", "MAX_CLASSES", MAX_CLASSES),
    ("AnonymousRewards", "SLOTS", anonymous_rewards.CLAIM_SLOTS),
    ("AnonymousRewards", "TREE_DEPTH", anonymous_rewards.CLAIM_DEPTH),
]


def eip712_type_string(name: str, fields: list[dict]) -> str:
    members = ",".join(f"{field['type']} {field['name']}" for field in fields)
    return f"{name}({members})"


@pytest.mark.parametrize(("name", "constant", "mirror"), MIRRORS, ids=[f"{n}.{c}" for n, c, _ in MIRRORS])
def test_python_mirror_equals_the_contract_constant(w3, deployed, name, constant, mirror):
    assert getattr(contract(name, w3=w3).functions, constant)().call() == mirror


def test_eip712_batch_types_hash_to_the_contract_typehashes(w3, deployed):
    instance = contract("JobInstance", w3=w3).functions
    assert instance.LABEL_BATCH_TYPEHASH().call() == keccak(text=eip712_type_string("LabelBatch", eip712.TYPES["LabelBatch"]))
    assert instance.BOX_BATCH_TYPEHASH().call() == keccak(text=eip712_type_string("BoxBatch", eip712.BOX_BATCH_TYPE))
