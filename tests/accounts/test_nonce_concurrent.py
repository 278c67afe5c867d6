"""Two verifications of one signed message racing each other: exactly one signs in. On PostgreSQL the
second conditional UPDATE waits for the first one's row lock, then matches nothing."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection

from apps.accounts.services import verify_sign_in
from apps.accounts.verification import SignInError, SignInPolicy
from tests.accounts.helpers import message_for, request_challenge, sign
from tests.conftest import missing_service

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_only_one_of_two_concurrent_verifications_signs_in(client, wallet, rf):
    if connection.vendor != "postgresql":
        missing_service("needs PostgreSQL: run with DATABASE_URL=postgres://127.0.0.1:5432/test")
    message = message_for(request_challenge(client), wallet)
    signature = sign(wallet, message)
    session_key = client.session.session_key
    start = threading.Barrier(2)

    def verify() -> str:
        request = rf.post("/api/auth/verify")
        request.session = SessionStore(session_key=session_key)
        request.user = AnonymousUser()
        start.wait()
        try:
            policy = SignInPolicy.for_request(request)
            verify_sign_in(request=request, message=message, signature=signature, policy=policy)
            return "signed in"
        except SignInError as error:
            return error.check
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = sorted(pool.map(lambda _: verify(), range(2)))

    assert outcomes == ["nonce_used", "signed in"]
