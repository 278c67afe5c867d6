"""Deploy CrowdToken, the JobInstance implementation, JobManagement, the anonymous-labeling suite
(PoseidonT3 library, Semaphore v4's verifier, AnonymousLabels), the anonymous-reward contracts
(AnonClaimVerifier, AnonymousRewards) and the on-chain models' implementations with their
ModelFactory; idempotent per chain id.

A recorded deployment is reused while code is still at its address and the init code (creation
bytecode + constructor arguments) hashes the same, so a changed contract or a changed dependency
address (JobManagement takes the token and implementation) triggers a redeploy of just what changed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from django.conf import settings
from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.contract.contract import ContractConstructor

from apps.chain.client import send_raw
from apps.chain.compiler import linked_bytecode, load_artifact
from apps.chain.models import ContractDeployment

TOKEN_NAME = "CrowdAL Token"
TOKEN_SYMBOL = "CROWD"
# In ModelFactory's constructor order.
MODEL_IMPLEMENTATIONS = ("Perceptron", "NearestCentroid", "NaiveBayes", "CollaborativeTrainer")


@dataclass(frozen=True)
class Deployment:
    name: str
    address: str
    tx_hash: str
    block_number: int
    bytecode_hash: str


@dataclass(frozen=True)
class InitCode:
    name: str
    constructor: ContractConstructor

    @property
    def hash(self) -> str:
        return Web3.keccak(hexstr=self.constructor.data_in_transaction).to_0x_hex()


def init_code(*, w3: Web3, name: str, args: Sequence = (), libraries: Mapping[str, str] | None = None) -> InitCode:
    artifact = load_artifact(name)
    factory = w3.eth.contract(abi=artifact.abi, bytecode=linked_bytecode(artifact, libraries or {}))
    return InitCode(name=name, constructor=factory.constructor(*args))


def send_init_code(*, w3: Web3, deployer: LocalAccount, code: InitCode) -> Deployment:
    tx = code.constructor.build_transaction(
        {"from": deployer.address, "nonce": w3.eth.get_transaction_count(deployer.address, "pending")}
    )
    sent = send_raw(w3, deployer.sign_transaction(tx).raw_transaction)
    return Deployment(
        name=code.name,
        address=sent.receipt["contractAddress"],
        tx_hash=sent.tx_hash,
        block_number=sent.receipt["blockNumber"],
        bytecode_hash=code.hash,
    )


Deployer = Callable[[InitCode], Deployment]


def deploy_suite(*, w3: Web3, deployer: LocalAccount, deploy: Deployer) -> dict[str, Deployment]:
    """The contracts in dependency order; `deploy` decides whether to send or reuse.
    The deployer owns the token (dev: mintable) and JobManagement; the jobs' oracle is
    settings.ORACLE_ADDRESS (the settlement key's address), their guardian settings.GUARDIAN_ADDRESS
    and their dispute window settings.CHAIN_DISPUTE_WINDOW_SECONDS.
    AnonymousLabels links PoseidonT3 (its LeanIMT groups hash with it) and calls SemaphoreVerifier;
    JobInstance names both anonymous contracts (the pool leaf is bounded by anonymous labels)."""
    owner = deployer.address
    token = deploy(init_code(w3=w3, name="CrowdToken", args=(TOKEN_NAME, TOKEN_SYMBOL, owner, 0, False)))
    poseidon = deploy(init_code(w3=w3, name="PoseidonT3"))
    verifier = deploy(init_code(w3=w3, name="SemaphoreVerifier"))
    anonymous_labels = deploy(
        init_code(w3=w3, name="AnonymousLabels", args=(verifier.address,), libraries={"PoseidonT3": poseidon.address})
    )
    claim_verifier = deploy(init_code(w3=w3, name="AnonClaimVerifier"))
    anonymous_rewards = deploy(init_code(w3=w3, name="AnonymousRewards", args=(claim_verifier.address,)))
    implementation = deploy(
        init_code(w3=w3, name="JobInstance", args=(anonymous_labels.address, anonymous_rewards.address))
    )
    terms = (settings.ORACLE_ADDRESS or owner, settings.GUARDIAN_ADDRESS, settings.CHAIN_DISPUTE_WINDOW_SECONDS)
    management = deploy(
        init_code(w3=w3, name="JobManagement", args=(token.address, implementation.address, *terms, owner))
    )
    models = [deploy(init_code(w3=w3, name=name)) for name in MODEL_IMPLEMENTATIONS]
    model_factory = deploy(init_code(w3=w3, name="ModelFactory", args=tuple(m.address for m in models)))
    suite = (
        token,
        implementation,
        management,
        poseidon,
        verifier,
        anonymous_labels,
        claim_verifier,
        anonymous_rewards,
        *models,
        model_factory,
    )
    return {d.name: d for d in suite}


def deploy_unrecorded(*, w3: Web3, deployer: LocalAccount) -> dict[str, Deployment]:
    """A fresh deployment that touches no database (benchmarks, throwaway chains)."""
    return deploy_suite(
        w3=w3, deployer=deployer, deploy=lambda code: send_init_code(w3=w3, deployer=deployer, code=code)
    )


def deploy_contracts(*, w3: Web3, deployer: LocalAccount) -> dict[str, str]:
    """Deploy what is missing or changed on this chain, record it, and return name -> address."""
    chain_id = w3.eth.chain_id

    def deploy_or_reuse(code: InitCode) -> Deployment:
        record = ContractDeployment.objects.filter(chain_id=chain_id, name=code.name).first()
        if record and record.bytecode_hash == code.hash and w3.eth.get_code(record.address):
            return Deployment(code.name, record.address, record.tx_hash, record.block_number, record.bytecode_hash)
        deployment = send_init_code(w3=w3, deployer=deployer, code=code)
        ContractDeployment.objects.update_or_create(
            chain_id=chain_id,
            name=code.name,
            defaults={
                "address": deployment.address,
                "tx_hash": deployment.tx_hash,
                "block_number": deployment.block_number,
                "bytecode_hash": deployment.bytecode_hash,
            },
        )
        return deployment

    deployments = deploy_suite(w3=w3, deployer=deployer, deploy=deploy_or_reuse)
    return {name: d.address for name, d in deployments.items()}
