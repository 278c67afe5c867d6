"""A nonce lives SIWE_NONCE_TTL_SECONDS; expired ones are refused and purged when the next is issued."""

import pytest
from django.test import Client

from apps.accounts.models import SiweNonce
from tests.accounts.helpers import message_for, post_verify, request_challenge, sign

pytestmark = pytest.mark.django_db


@pytest.fixture
def late_message(client, wallet, clock, settings):
    """A message over a nonce that expired before the wallet signed it (the message itself is fresh)."""
    challenge = request_challenge(client)
    clock.advance(seconds=settings.SIWE_NONCE_TTL_SECONDS)
    message = message_for(challenge, wallet, issuedAt=clock.now.isoformat())
    return challenge["nonce"], message, sign(wallet, message)


def test_expired_nonce_is_refused(client, late_message):
    _, message, signature = late_message

    response = post_verify(client, message, signature)

    assert response.status_code == 400
    assert response.json()["check"] == "nonce_expired"


def test_issuing_a_nonce_purges_expired_ones(client, late_message):
    nonce, message, signature = late_message

    request_challenge(Client())

    assert not SiweNonce.objects.filter(value=nonce).exists()
    assert post_verify(client, message, signature).json()["check"] == "nonce"


def test_nonce_just_before_expiry_still_works(client, wallet, clock, settings):
    challenge = request_challenge(client)
    clock.advance(seconds=settings.SIWE_NONCE_TTL_SECONDS - 1)
    message = message_for(challenge, wallet)

    assert post_verify(client, message, sign(wallet, message)).status_code == 200


def test_nonce_never_issued_is_refused(client, wallet):
    request_challenge(client)
    message = message_for(request_challenge(client), wallet, nonce="madeUpNonce12345")

    response = post_verify(client, message, sign(wallet, message))

    assert response.json()["check"] == "nonce"
