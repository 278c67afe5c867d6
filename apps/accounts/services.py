"""Wallet sign-in: issue a nonce, verify a signed EIP-4361 message and open a session, sign out."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import login, logout
from django.contrib.auth.hashers import make_password
from django.contrib.sessions.backends.base import SessionBase
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from apps.accounts.models import SiweNonce, User
from apps.accounts.selectors import get_nonce
from apps.accounts.verification import (
    SignInError,
    SignInPolicy,
    check_message,
    check_signature,
    parse_message,
    timestamp,
)


@transaction.atomic
def issue_nonce(*, session: SessionBase) -> SiweNonce:
    """A fresh single-use nonce bound to this browser session."""
    if session.session_key is None:
        # The nonce is tied to the session, so the session (and its cookie) must exist from now on.
        session.cycle_key()
    if session.session_key is None:
        raise RuntimeError("the session has no key to tie the nonce to")
    now = timezone.now()
    SiweNonce.objects.filter(expires_at__lte=now).delete()
    return SiweNonce.objects.create(
        value=secrets.token_hex(16),  # EIP-4361 wants at least 8 alphanumerics; 128 bits cannot be guessed
        session_key=session.session_key,
        created_at=now,
        expires_at=now + timedelta(seconds=settings.SIWE_NONCE_TTL_SECONDS),
    )


def verify_sign_in(*, request: HttpRequest, message: str, signature: str, policy: SignInPolicy) -> User:
    """Check a signed sign-in message and, if every check passes, sign its address in on `request`.

    Raises SignInError naming the first check that failed. The session ends at SESSION_COOKIE_AGE from
    now or at the message's Expiration Time, whichever comes first.
    """
    now = timezone.now()
    parsed = parse_message(message)
    check_message(parsed, policy=policy, now=now)
    # Outside the transaction: a contract wallet's signature may need a call to the chain.
    check_signature(parsed, text=message, signature=signature)
    with transaction.atomic():
        _consume_nonce(value=parsed.nonce, session_key=request.session.session_key, now=now)
        user, _ = User.objects.get_or_create(address=parsed.address, defaults={"password": make_password(None)})
        if not user.is_active:
            raise SignInError("account", "This account is disabled.", status=403)
        # Named because SIWE is no authentication backend: ModelBackend loads the user back from the session.
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        session_end = now + timedelta(seconds=settings.SESSION_COOKIE_AGE)
        if parsed.expiration_time:
            session_end = min(session_end, timestamp(parsed.expiration_time))
        request.session.set_expiry(session_end)
    return user


def _consume_nonce(*, value: str, session_key: str | None, now: datetime) -> None:
    # One conditional UPDATE: of two concurrent verifications of the same nonce only one can match
    # `used_at IS NULL`; the other updates nothing and is refused below.
    consumed = SiweNonce.objects.filter(
        value=value, session_key=session_key, used_at__isnull=True, expires_at__gt=now
    ).update(used_at=now)
    if consumed:
        return
    nonce = get_nonce(value=value)
    if nonce is None:
        raise SignInError("nonce", "Unknown nonce: this sign-in request was not issued here or has expired. Try again.")
    # "Used" first: signing in gives the session a new key, so a replay looks like another session too.
    if nonce.used_at is not None:
        raise SignInError("nonce_used", "Nonce already used: this sign-in message cannot be used twice.")
    if nonce.session_key != session_key:
        raise SignInError("nonce_session", "This sign-in request was issued to another browser session.")
    raise SignInError("nonce_expired", "Nonce expired: this sign-in request is too old. Try again.")


@transaction.atomic
def sign_out(*, request: HttpRequest) -> None:
    logout(request)
