"""Every write to the sign-in API needs Django's CSRF token, signed in or not: a forged cross-site
sign-in or sign-out is refused with a JSON 403."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser():
    return Client(enforce_csrf_checks=True)


@pytest.mark.parametrize("path", ["/api/auth/nonce", "/api/auth/verify", "/api/auth/signout"])
def test_write_without_the_token_is_refused(browser, path):
    response = browser.post(path, {}, content_type="application/json")

    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_pages_hand_out_the_token_the_api_accepts(browser):
    browser.get("/signin")
    token = browser.cookies["csrftoken"].value

    response = browser.post("/api/auth/nonce", headers={"X-CSRFToken": token})

    assert response.status_code == 201
