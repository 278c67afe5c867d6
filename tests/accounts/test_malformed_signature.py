"""A signature that is not 65 bytes of hex is refused with a clear reason, not a server error."""

import pytest

from tests.accounts.helpers import message_for, post_verify, request_challenge

pytestmark = pytest.mark.django_db


@pytest.fixture
def message(client, wallet):
    return message_for(request_challenge(client), wallet)


@pytest.mark.parametrize(
    "signature, reason",
    [
        ("0xnot-hex", "it is not hexadecimal"),
        ("0x" + "ab" * 64, "64 bytes where 65 are expected"),
        ("0x" + "ab" * 66, "66 bytes where 65 are expected"),
        ("0x", "0 bytes where 65 are expected"),
    ],
)
def test_malformed_signature_is_refused(client, message, signature, reason):
    response = post_verify(client, message, signature)

    assert response.status_code == 400
    assert response.json() == {"check": "signature", "detail": f"The signature is malformed: {reason}."}


def test_impossible_signature_values_are_a_mismatch(client, message):
    # 65 bytes, but r = s = 0 and v = 27 recover no key at all
    response = post_verify(client, message, "0x" + "00" * 64 + "1b")

    assert response.json()["check"] == "signature"


def test_missing_fields_are_a_bad_request(client):
    response = client.post("/api/auth/verify", {}, content_type="application/json")

    assert response.status_code == 400
    body = response.json()
    assert {"message", "signature"} <= set(body) and body["field"] == "message" and "required" in body["detail"]
