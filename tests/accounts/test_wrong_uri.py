"""A message's URI must be on this site's origin (any path)."""

import pytest

from tests.accounts.helpers import sign_in

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("uri", ["http://evil.example", "https://testserver", "http://testserver:8443/signin"])
def test_uri_on_another_origin_is_refused(client, wallet, uri):
    response = sign_in(client, wallet, uri=uri)

    assert response.status_code == 400
    assert response.json() == {
        "check": "uri",
        "detail": f"This sign-in message names another address for this site (URI {uri}, not http://testserver).",
    }


def test_uri_with_a_path_on_our_origin_is_accepted(client, wallet):
    assert sign_in(client, wallet, uri="http://testserver/signin?next=/jobs").status_code == 200
