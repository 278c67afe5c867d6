"""The injected test wallet itself, for the browser tests that pay and sign with it: typed data
(EIP-712) signed with the account's key, transactions signed and sent to the local chain."""

import json

import pytest
from eth_account import Account
from eth_account.messages import encode_typed_data

pytestmark = pytest.mark.browser

REQUEST = "([method, params]) => window.ethereum.request({ method, params })"

MAIL = {
    "types": {
        "EIP712Domain": [
            {"name": "name", "type": "string"},
            {"name": "chainId", "type": "uint256"},
        ],
        "Mail": [{"name": "to", "type": "address"}, {"name": "contents", "type": "string"}],
    },
    "primaryType": "Mail",
    "domain": {"name": "CrowdAL test", "chainId": 31337},
    "message": {"to": "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", "contents": "hello"},
}


@pytest.fixture
def alice(wallet_page, dev_accounts):
    wallet = wallet_page(dev_accounts[1])
    wallet.page.goto("/")
    return wallet


def test_wallet_signs_typed_data(alice):
    signature = alice.page.evaluate(REQUEST, ["eth_signTypedData_v4", [alice.address, json.dumps(MAIL)]])

    assert Account.recover_message(encode_typed_data(full_message=MAIL), signature=signature) == alice.address


def test_wallet_sends_transactions_to_the_chain(alice, dev_accounts, w3):
    bob = dev_accounts[2].address
    before = w3.eth.get_balance(bob)

    tx_hash = alice.page.evaluate(
        REQUEST, ["eth_sendTransaction", [{"from": alice.address, "to": bob.lower(), "value": hex(10**18)}]]
    )

    assert w3.eth.wait_for_transaction_receipt(tx_hash)["status"] == 1
    assert w3.eth.get_balance(bob) - before == 10**18


def test_wallet_refuses_to_sign_for_an_account_it_does_not_hold(alice, dev_accounts):
    with pytest.raises(Exception, match="The test wallet holds"):
        alice.page.evaluate(REQUEST, ["personal_sign", ["0x68656c6c6f", dev_accounts[2].address]])
