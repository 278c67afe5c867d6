"""A message must be for a chain the platform runs on (SIWE_CHAIN_IDS)."""

import pytest

from tests.accounts.helpers import sign_in, whoami

pytestmark = pytest.mark.django_db


def test_message_for_another_chain_is_refused(client, wallet):
    response = sign_in(client, wallet, chainId=1)

    assert response.status_code == 400
    assert response.json() == {"check": "chain_id", "detail": "Wrong network: sign in on chain 31337."}
    assert whoami(client) is None


def test_every_configured_chain_is_accepted_and_named(client, wallet, settings):
    settings.SIWE_CHAIN_IDS = [31337, 8453]

    assert sign_in(client, wallet, chainId=1).json()["detail"] == "Wrong network: sign in on chain 31337 or 8453."
    assert sign_in(client, wallet, chainId=8453).status_code == 200
