"""A wallet session lasts SESSION_COOKIE_AGE from sign-in at most, and never past the signed
message's Expiration Time; using the site does not extend it."""

from datetime import timedelta

import pytest

from tests.accounts.helpers import sign_in, whoami

pytestmark = pytest.mark.django_db

HOUR = 3600


@pytest.fixture(autouse=True)
def one_hour_sessions(settings):
    settings.SESSION_COOKIE_AGE = HOUR


def test_session_ends_at_the_session_cap(client, wallet, clock):
    response = sign_in(client, wallet, expirationTime=(clock.now + timedelta(days=1)).isoformat())

    assert response.json()["expiresAt"] == (clock.now + timedelta(seconds=HOUR)).isoformat().replace("+00:00", "Z")
    assert int(response.cookies["sessionid"]["max-age"]) == HOUR
    clock.advance(seconds=HOUR - 1)
    assert whoami(client) == wallet.address
    clock.advance(seconds=1)
    assert whoami(client) is None


def test_session_ends_when_the_message_expires(client, wallet, clock):
    expires = clock.now + timedelta(minutes=10)

    sign_in(client, wallet, expirationTime=expires.isoformat())

    assert client.session.get_expiry_date() == expires
    clock.advance(minutes=10)
    assert whoami(client) is None


def test_activity_does_not_extend_the_session(client, wallet, clock):
    sign_in(client, wallet)
    for _ in range(3):
        clock.advance(seconds=HOUR / 3 - 1)
        assert whoami(client) == wallet.address
    clock.advance(seconds=3)
    assert whoami(client) is None
