"""A message past its Expiration Time is refused (with SIWE_CLOCK_SKEW_SECONDS of tolerance)."""

from datetime import timedelta

import pytest

from tests.accounts.helpers import sign_in

pytestmark = pytest.mark.django_db


def test_expired_message_is_refused(client, wallet, clock, settings):
    expired = clock.now - timedelta(seconds=settings.SIWE_CLOCK_SKEW_SECONDS)

    response = sign_in(client, wallet, expirationTime=expired.isoformat())

    assert response.status_code == 400
    assert response.json() == {
        "check": "expiration_time",
        "detail": f"This sign-in message expired at {expired.isoformat()}.",
    }


def test_message_expired_within_the_clock_skew_is_accepted(client, wallet, clock, settings):
    just_expired = clock.now - timedelta(seconds=settings.SIWE_CLOCK_SKEW_SECONDS - 1)

    assert sign_in(client, wallet, expirationTime=just_expired.isoformat()).status_code == 200


def test_message_without_expiration_is_accepted(client, wallet):
    assert sign_in(client, wallet, expirationTime=None).status_code == 200
