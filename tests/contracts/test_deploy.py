import pytest
from django.core.management import CommandError, call_command

from apps.chain.deploy import deploy_contracts
from apps.chain.models import ContractDeployment
from apps.chain.registry import ContractNotDeployed, contract

NAMES = {
    "CrowdToken", "JobInstance", "JobManagement", "PoseidonT3", "SemaphoreVerifier", "AnonymousLabels",
    "AnonClaimVerifier", "AnonymousRewards", "Perceptron", "NearestCentroid", "NaiveBayes", "CollaborativeTrainer",
    "ModelFactory",
}


def recorded(w3) -> dict[str, str]:
    return dict(ContractDeployment.objects.filter(chain_id=w3.eth.chain_id).values_list("name", "address"))


def test_deploy_records_every_contract(w3, deployed, roles):
    assert set(deployed.addresses) == NAMES
    assert recorded(w3) == deployed.addresses
    for name, address in deployed.addresses.items():
        assert w3.eth.get_code(address), name
    management = deployed.management.functions
    assert management.token().call() == deployed.addresses["CrowdToken"]
    assert management.implementation().call() == deployed.addresses["JobInstance"]
    assert management.oracle().call() == management.owner().call() == roles.oracle.address
    assert deployed.token.functions.owner().call() == roles.oracle.address
    rewards = contract("AnonymousRewards", w3=w3)
    assert rewards.functions.verifier().call() == deployed.addresses["AnonClaimVerifier"]
    factory = contract("ModelFactory", w3=w3).functions
    assert factory.perceptron().call() == deployed.addresses["Perceptron"]
    assert factory.trainer().call() == deployed.addresses["CollaborativeTrainer"]


def test_redeploying_reuses_what_is_there(w3, deployed, roles):
    nonce = w3.eth.get_transaction_count(roles.oracle.address)
    assert deploy_contracts(w3=w3, deployer=roles.oracle) == deployed.addresses
    assert w3.eth.get_transaction_count(roles.oracle.address) == nonce


def test_missing_code_redeploys_it_and_its_dependents(w3, deployed, roles):
    w3.provider.make_request("anvil_setCode", [deployed.addresses["JobInstance"], "0x"])
    again = deploy_contracts(w3=w3, deployer=roles.oracle)
    assert again["CrowdToken"] == deployed.addresses["CrowdToken"]
    assert again["JobInstance"] != deployed.addresses["JobInstance"]
    # JobManagement's constructor names the implementation, so its init code changed too.
    assert again["JobManagement"] != deployed.addresses["JobManagement"]
    assert recorded(w3) == again


def test_changed_bytecode_redeploys(w3, deployed, roles):
    ContractDeployment.objects.filter(name="CrowdToken").update(bytecode_hash="0x" + "00" * 32)
    again = deploy_contracts(w3=w3, deployer=roles.oracle)
    assert again["CrowdToken"] != deployed.addresses["CrowdToken"]
    assert again["JobInstance"] == deployed.addresses["JobInstance"]
    assert ContractDeployment.objects.get(name="CrowdToken").bytecode_hash != "0x" + "00" * 32


def test_registry_prefers_configured_addresses(w3, deployed, settings):
    settings.CHAIN_CONTRACT_ADDRESSES = {"CrowdToken": deployed.addresses["JobManagement"].lower()}
    assert contract("CrowdToken", w3=w3).address == deployed.addresses["JobManagement"]
    assert contract("JobManagement").address == deployed.addresses["JobManagement"]


def test_registry_needs_a_deployment(w3, db):
    with pytest.raises(ContractNotDeployed):
        contract("JobManagement", w3=w3)


def test_command_deploys_and_funds_dev_accounts(w3, db, dev_accounts, capsys):
    call_command("deploy_contracts", "--fund-dev-accounts")
    out = capsys.readouterr().out
    for name, address in recorded(w3).items():
        assert f"  {name}: {address}" in out
    token = contract("CrowdToken", w3=w3)
    assert all(token.functions.balanceOf(a.address).call() == 1_000_000 * 10**18 for a in dev_accounts)


def test_command_refuses_to_fund_on_another_chain(w3, db, monkeypatch):
    monkeypatch.setattr("apps.chain.management.commands.deploy_contracts.ANVIL_CHAIN_ID", 1)
    with pytest.raises(CommandError):
        call_command("deploy_contracts", "--fund-dev-accounts")
    assert not ContractDeployment.objects.exists()
