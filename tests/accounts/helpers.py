"""Writing and signing EIP-4361 messages the way a wallet does, and driving the sign-in API."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.test import Client
from eth_account.messages import encode_defunct
from eth_account.signers.local import LocalAccount

# EIP-4361 lines after the statement, in the order the standard requires, keyed as the vectors name them.
FIELD_LINES = [
    ("uri", "URI"),
    ("version", "Version"),
    ("chainId", "Chain ID"),
    ("nonce", "Nonce"),
    ("issuedAt", "Issued At"),
    ("expirationTime", "Expiration Time"),
    ("notBefore", "Not Before"),
    ("requestId", "Request ID"),
]


def render(fields: dict) -> str:
    """The message text for `fields`. Writes only the fields present and validates nothing: the
    negative vectors leave out or garble required fields, and the server must be the one to refuse."""
    scheme = f"{fields['scheme']}://" if fields.get("scheme") else ""
    lines = [f"{scheme}{fields.get('domain', '')} wants you to sign in with your Ethereum account:"]
    lines += [fields.get("address", ""), ""]
    lines += [fields["statement"], ""] if fields.get("statement") is not None else [""]
    lines += [f"{label}: {fields[key]}" for key, label in FIELD_LINES if key in fields]
    if fields.get("resources"):
        lines += ["Resources:", *(f"- {resource}" for resource in fields["resources"])]
    return "\n".join(lines)


def sign(account: LocalAccount, text: str) -> str:
    """personal_sign (EIP-191) over the exact text."""
    return account.sign_message(encode_defunct(text=text)).signature.to_0x_hex()


def request_challenge(client: Client) -> dict:
    response = client.post("/api/auth/nonce")
    assert response.status_code == 201, response.content
    return response.json()


def message_for(challenge: dict, account: LocalAccount, **overrides) -> str:
    """The message the sign-in page writes from the server's challenge; an override of None drops a field."""
    fields = {
        "domain": challenge["domain"],
        "address": account.address,
        "statement": challenge["statement"],
        "uri": challenge["uri"],
        "version": "1",
        "chainId": challenge["chainId"],
        "nonce": challenge["nonce"],
        "issuedAt": challenge["issuedAt"],
        "expirationTime": challenge["expirationTime"],
    }
    fields.update(overrides)
    return render({key: value for key, value in fields.items() if value is not None})


def post_verify(client: Client, message: str, signature: str):
    body = {"message": message, "signature": signature}
    return client.post("/api/auth/verify", body, content_type="application/json")


def sign_in(client: Client, account: LocalAccount, **overrides):
    """The whole flow: a fresh challenge, the message (with `overrides`), its signature, verify."""
    message = message_for(request_challenge(client), account, **overrides)
    return post_verify(client, message, sign(account, message))


def whoami(client: Client) -> str | None:
    return client.get("/api/auth/me").json()["address"]


# The spruceid/siwe vectors, copied into the repository (tests/vectors/siwe/README.md says from where).
VECTORS_DIR = Path(__file__).resolve().parent.parent / "vectors" / "siwe"


def vector_cases(file_name: str) -> list:
    """One pytest param per case of a vectors file, named after the case."""
    cases = json.loads((VECTORS_DIR / file_name).read_text())
    return [pytest.param(case, id=title) for title, case in cases.items()]
