"""A nonce signs in once: replaying the same signed message is refused, in any session."""

import pytest
from django.test import Client

from tests.accounts.helpers import message_for, post_verify, request_challenge, sign

pytestmark = pytest.mark.django_db


@pytest.fixture
def used_message(client, wallet):
    message = message_for(request_challenge(client), wallet)
    signature = sign(wallet, message)
    assert post_verify(client, message, signature).status_code == 200
    return message, signature


def test_replay_in_the_same_session_is_refused(client, used_message):
    response = post_verify(client, *used_message)

    assert response.status_code == 400
    assert response.json() == {
        "check": "nonce_used",
        "detail": "Nonce already used: this sign-in message cannot be used twice.",
    }


def test_replay_from_another_browser_is_refused(used_message):
    response = post_verify(Client(), *used_message)

    assert response.json()["check"] == "nonce_used"
