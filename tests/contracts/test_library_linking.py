"""Contracts calling a public library function (AnonymousLabels -> PoseidonT3 through LeanIMT) are
deployed with the library's address written into their code, and refuse to deploy without it."""
import pytest

from apps.chain.compiler import linked_bytecode, load_artifact


def test_library_address_is_linked_into_the_deployed_code(w3, deployed):
    artifact = load_artifact("AnonymousLabels")
    assert set(artifact.link_references) == {"PoseidonT3"}
    poseidon = deployed.addresses["PoseidonT3"]
    code = w3.eth.get_code(deployed.addresses["AnonymousLabels"]).hex()
    assert poseidon.lower().removeprefix("0x") in code
    assert "__$" not in linked_bytecode(artifact, {"PoseidonT3": poseidon})


def test_missing_library_address_is_a_clear_error():
    with pytest.raises(ValueError, match=r"AnonymousLabels needs the addresses of \['PoseidonT3'\]"):
        linked_bytecode(load_artifact("AnonymousLabels"), {})
