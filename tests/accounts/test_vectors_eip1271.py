"""The spruceid/siwe EIP-1271 vectors are contract wallets (Argent, Loopring) on Ethereum mainnet:
checking them means calling those contracts on chain 1, which needs a mainnet node, and chain 1 is not
a chain this platform signs in on. Our EIP-1271 path is tested against a contract wallet deployed on
the local chain in test_eip1271_contract_wallet.py."""

import pytest

from tests.accounts.helpers import vector_cases


@pytest.mark.parametrize("case", vector_cases("eip1271.json"))
def test_mainnet_contract_wallet_vector(case):
    pytest.skip("needs an Ethereum mainnet node (contract wallets on chain 1); EIP-1271 is tested on anvil instead")
