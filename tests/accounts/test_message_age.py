"""Issued At must be plausible: not in the future (beyond the clock skew), not older than
SIWE_MAX_MESSAGE_AGE_SECONDS."""

from datetime import timedelta

import pytest

from tests.accounts.helpers import sign_in

pytestmark = pytest.mark.django_db


def test_message_dated_in_the_future_is_refused(client, wallet, clock, settings):
    future = clock.now + timedelta(seconds=settings.SIWE_CLOCK_SKEW_SECONDS + 1)

    response = sign_in(client, wallet, issuedAt=future.isoformat())

    assert response.status_code == 400
    assert response.json()["check"] == "issued_at"
    assert "dated in the future" in response.json()["detail"]


def test_message_older_than_the_maximum_age_is_refused(client, wallet, clock, settings):
    old = clock.now - timedelta(seconds=settings.SIWE_MAX_MESSAGE_AGE_SECONDS + 1)

    response = sign_in(client, wallet, issuedAt=old.isoformat())

    assert response.json() == {
        "check": "issued_at",
        "detail": f"This sign-in message is too old (issued at {old.isoformat()}).",
    }


def test_message_slightly_ahead_of_our_clock_is_accepted(client, wallet, clock, settings):
    ahead = clock.now + timedelta(seconds=settings.SIWE_CLOCK_SKEW_SECONDS)

    assert sign_in(client, wallet, issuedAt=ahead.isoformat()).status_code == 200
