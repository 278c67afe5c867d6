"""Contract handles bound to their addresses on the current chain: the deployment recorded by
`deploy_contracts` for this chain id, unless settings.CHAIN_CONTRACT_ADDRESSES names one."""

from __future__ import annotations

from django.conf import settings
from web3 import Web3
from web3.contract import Contract

from apps.chain.client import get_web3
from apps.chain.compiler import load_artifact
from apps.chain.models import ContractDeployment


class ContractNotDeployed(LookupError):
    pass


def contract_address(name: str, *, w3: Web3) -> str:
    override = settings.CHAIN_CONTRACT_ADDRESSES.get(name)
    if override:
        return Web3.to_checksum_address(override)
    record = ContractDeployment.objects.filter(chain_id=w3.eth.chain_id, name=name).first()
    if record is None:
        raise ContractNotDeployed(
            f"{name} is not deployed on chain {w3.eth.chain_id}: run `manage.py deploy_contracts`"
        )
    return Web3.to_checksum_address(record.address)


def contract(name: str, *, w3: Web3 | None = None) -> Contract:
    """A handle on our deployed contract `name` (CrowdToken, JobManagement, JobInstance)."""
    w3 = w3 or get_web3()
    return contract_at(name, contract_address(name, w3=w3), w3=w3)


def contract_at(name: str, address: str, *, w3: Web3 | None = None) -> Contract:
    """A handle on contract `name`'s ABI at any address (e.g. a deployment not recorded here)."""
    w3 = w3 or get_web3()
    return w3.eth.contract(address=Web3.to_checksum_address(address), abi=load_artifact(name).abi)


def job_instance(address: str, *, w3: Web3 | None = None) -> Contract:
    """A handle on one job's clone (its ABI is JobInstance's)."""
    return contract_at("JobInstance", address, w3=w3)
