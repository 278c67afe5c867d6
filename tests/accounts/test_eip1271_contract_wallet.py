"""Contract wallets (EIP-1271) sign in too: when the signature is not the address's own key, the
server asks the contract at that address, on the platform's chain, whether it accepts it."""

import pytest
import solcx

from apps.chain.compiler import solc_wrapper
from apps.chain.local_chain import free_port
from tests.accounts.helpers import message_for, post_verify, request_challenge, sign, whoami

pytestmark = pytest.mark.django_db

# The smallest real contract wallet: it accepts what its owner's key signed.
OWNED_WALLET = """
// SPDX-License-Identifier: MIT
pragma solidity 0.8.24;

contract OwnedWallet {
    address public immutable owner;

    constructor(address owner_) {
        owner = owner_;
    }

    function isValidSignature(bytes32 hash, bytes calldata signature) external view returns (bytes4) {
        if (signature.length != 65) return 0xffffffff;
        bytes32 r = bytes32(signature[0:32]);
        bytes32 s = bytes32(signature[32:64]);
        uint8 v = uint8(signature[64]);
        return ecrecover(hash, v, r, s) == owner ? bytes4(0x1626ba7e) : bytes4(0xffffffff);
    }
}
"""


@pytest.fixture(scope="module")
def owned_wallet_artifact():
    output = solcx.compile_standard(
        {
            "language": "Solidity",
            "sources": {"OwnedWallet.sol": {"content": OWNED_WALLET}},
            "settings": {"outputSelection": {"*": {"*": ["abi", "evm.bytecode.object"]}}},
        },
        solc_binary=solc_wrapper(),
    )
    contract = output["contracts"]["OwnedWallet.sol"]["OwnedWallet"]
    return contract["abi"], contract["evm"]["bytecode"]["object"]


@pytest.fixture
def contract_wallet(w3, owned_wallet_artifact, dev_accounts, wallet):
    """An OwnedWallet on the local chain whose owner is `wallet`; its address is what signs in."""
    abi, bytecode = owned_wallet_artifact
    deployer = dev_accounts[0]
    tx = (
        w3.eth.contract(abi=abi, bytecode=bytecode)
        .constructor(wallet.address)
        .build_transaction({"from": deployer.address, "nonce": w3.eth.get_transaction_count(deployer.address)})
    )
    receipt = w3.eth.wait_for_transaction_receipt(
        w3.eth.send_raw_transaction(deployer.sign_transaction(tx).raw_transaction)
    )
    return receipt["contractAddress"]


def test_contract_wallet_signs_in_with_its_owners_signature(client, contract_wallet, wallet):
    message = message_for(request_challenge(client), wallet, address=contract_wallet)

    response = post_verify(client, message, sign(wallet, message))

    assert response.status_code == 200, response.content
    assert whoami(client) == contract_wallet


def test_contract_wallet_refuses_a_stranger(client, contract_wallet, wallet, dev_accounts):
    message = message_for(request_challenge(client), wallet, address=contract_wallet)

    response = post_verify(client, message, sign(dev_accounts[3], message))

    assert response.json()["check"] == "signature"
    assert whoami(client) is None


def test_unreachable_chain_is_a_clear_temporary_error(client, wallet, dev_accounts, settings):
    settings.CHAIN_RPC_URL = f"http://127.0.0.1:{free_port()}"
    message = message_for(request_challenge(client), wallet)

    response = post_verify(client, message, sign(dev_accounts[3], message))

    assert response.status_code == 503
    assert response.json()["check"] == "signature"
    assert "Could not reach the chain" in response.json()["detail"]
