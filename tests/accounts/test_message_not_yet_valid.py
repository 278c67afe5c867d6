"""A message before its Not Before time is refused (with SIWE_CLOCK_SKEW_SECONDS of tolerance)."""

from datetime import timedelta

import pytest

from tests.accounts.helpers import sign_in

pytestmark = pytest.mark.django_db


def test_not_yet_valid_message_is_refused(client, wallet, clock, settings):
    later = clock.now + timedelta(seconds=settings.SIWE_CLOCK_SKEW_SECONDS + 1)

    response = sign_in(client, wallet, notBefore=later.isoformat())

    assert response.status_code == 400
    assert response.json() == {
        "check": "not_before",
        "detail": f"This sign-in message is not valid before {later.isoformat()}.",
    }


def test_message_valid_within_the_clock_skew_is_accepted(client, wallet, clock, settings):
    soon = clock.now + timedelta(seconds=settings.SIWE_CLOCK_SKEW_SECONDS)

    assert sign_in(client, wallet, notBefore=soon.isoformat()).status_code == 200
