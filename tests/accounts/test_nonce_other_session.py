"""A nonce belongs to the browser session that asked for it: a message signed over it (say, phished
from the user) does not sign anyone in elsewhere."""

import pytest
from django.test import Client

from tests.accounts.helpers import message_for, post_verify, request_challenge, sign, whoami

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("other_has_a_session", [True, False])
def test_nonce_from_another_session_is_refused(client, wallet, other_has_a_session):
    message = message_for(request_challenge(client), wallet)
    signature = sign(wallet, message)
    other = Client()
    if other_has_a_session:
        request_challenge(other)

    response = post_verify(other, message, signature)

    assert response.status_code == 400
    assert response.json()["check"] == "nonce_session"
    assert "another browser session" in response.json()["detail"]
    assert whoami(other) is None
    # Refusing it elsewhere did not use it up for the session it belongs to.
    assert post_verify(client, message, signature).status_code == 200
