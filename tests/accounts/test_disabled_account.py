"""An account the operator disabled cannot sign in, whatever its wallet signs."""

import pytest

from apps.accounts.models import SiweNonce, User
from tests.accounts.helpers import message_for, post_verify, request_challenge, sign, whoami

pytestmark = pytest.mark.django_db


def test_disabled_account_cannot_sign_in(client, wallet):
    User.objects.create_user(wallet.address, is_active=False)
    message = message_for(request_challenge(client), wallet)

    response = post_verify(client, message, sign(wallet, message))

    assert response.status_code == 403
    assert response.json() == {"check": "account", "detail": "This account is disabled."}
    assert whoami(client) is None
    assert SiweNonce.objects.get().used_at is None
