"""The happy path through the API: nonce, signed message, verify, session."""

import pytest

from apps.accounts.models import SiweNonce, User
from tests.accounts.helpers import request_challenge, sign_in, whoami

pytestmark = pytest.mark.django_db


def test_challenge_names_this_site_and_chain(client, settings):
    challenge = request_challenge(client)

    assert challenge["domain"] == "testserver"
    assert challenge["uri"] == "http://testserver"
    assert challenge["chainId"] == settings.SIWE_CHAIN_IDS[0] == 31337
    assert challenge["nonce"].isalnum() and len(challenge["nonce"]) >= 16
    nonce = SiweNonce.objects.get(value=challenge["nonce"])
    assert nonce.session_key == client.session.session_key
    assert (nonce.expires_at - nonce.created_at).total_seconds() == settings.SIWE_NONCE_TTL_SECONDS


def test_every_challenge_has_a_new_nonce(client):
    assert request_challenge(client)["nonce"] != request_challenge(client)["nonce"]


def test_signed_message_signs_the_wallet_in(client, wallet):
    assert whoami(client) is None

    response = sign_in(client, wallet)

    assert response.status_code == 200, response.content
    assert response.json()["address"] == wallet.address
    assert whoami(client) == wallet.address
    user = User.objects.get(address=wallet.address)
    assert not user.has_usable_password()


def test_a_wallet_signing_in_again_is_the_same_user(client, wallet):
    sign_in(client, wallet)
    sign_in(client, wallet)

    assert User.objects.filter(address=wallet.address).count() == 1


def test_sign_in_rotates_the_session_key(client, wallet):
    request_challenge(client)
    anonymous_key = client.session.session_key

    sign_in(client, wallet)

    assert client.session.session_key != anonymous_key
