"""Signing out ends the session on the server, not only in the browser."""

import pytest
from django.contrib.sessions.models import Session

from tests.accounts.helpers import sign_in, whoami

pytestmark = pytest.mark.django_db


def test_sign_out_ends_the_session(client, wallet):
    sign_in(client, wallet)
    session_key = client.session.session_key

    response = client.post("/api/auth/signout")

    assert response.status_code == 204
    assert whoami(client) is None
    assert not Session.objects.filter(session_key=session_key).exists()


def test_sign_out_when_signed_out_is_harmless(client):
    assert client.post("/api/auth/signout").status_code == 204
    assert whoami(client) is None


def test_sign_out_must_be_a_post(client, wallet):
    sign_in(client, wallet)

    assert client.get("/api/auth/signout").status_code == 405
    assert whoami(client) == wallet.address
