"""The signature covers the exact text: any change to it, or a claim to be another address, fails."""

import pytest

from tests.accounts.helpers import message_for, post_verify, request_challenge, sign, whoami

pytestmark = pytest.mark.django_db


def test_changed_statement_no_longer_matches_the_signature(client, wallet):
    message = message_for(request_challenge(client), wallet)
    signature = sign(wallet, message)
    tampered = message.replace("Sign in to CrowdAL.", "Sign in to CrowdAL and approve all transfers.")

    response = post_verify(client, tampered, signature)

    assert response.status_code == 400
    assert response.json() == {"check": "signature", "detail": "The signature does not match this message and address."}
    assert whoami(client) is None


def test_signing_for_another_address_is_refused(client, wallet, dev_accounts):
    victim = dev_accounts[2]
    message = message_for(request_challenge(client), victim)

    response = post_verify(client, message, sign(wallet, message))

    assert response.json()["check"] == "signature"
    assert whoami(client) is None


def test_a_refused_signature_does_not_use_up_the_nonce(client, wallet):
    message = message_for(request_challenge(client), wallet)
    post_verify(client, message + " ", sign(wallet, message))

    assert post_verify(client, message, sign(wallet, message)).status_code == 200
