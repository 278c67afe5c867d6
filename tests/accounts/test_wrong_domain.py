"""A message must name this site: its domain (SIWE_DOMAIN, or the request's host) and, if it names a
scheme, ours. A message written for another site cannot be replayed here."""

import pytest

from tests.accounts.helpers import request_challenge, sign_in, whoami

pytestmark = pytest.mark.django_db


def test_message_for_another_domain_is_refused(client, wallet):
    response = sign_in(client, wallet, domain="crowdal.evil.example")

    assert response.status_code == 400
    assert response.json() == {
        "check": "domain",
        "detail": "This sign-in message was issued for another site (domain crowdal.evil.example).",
    }
    assert whoami(client) is None


def test_message_for_another_scheme_is_refused(client, wallet):
    response = sign_in(client, wallet, scheme="https")

    assert response.json()["check"] == "scheme"
    assert "another site (scheme https, not http)" in response.json()["detail"]


def test_message_naming_our_scheme_is_accepted(client, wallet):
    assert sign_in(client, wallet, scheme="http").status_code == 200


def test_configured_domain_wins_over_the_request_host(client, wallet, settings):
    settings.SIWE_DOMAIN = "crowdal.example"

    response = sign_in(client, wallet, domain="testserver", uri="http://testserver")
    assert response.json()["check"] == "domain"
    assert request_challenge(client)["uri"] == "http://crowdal.example"
    assert sign_in(client, wallet).status_code == 200
