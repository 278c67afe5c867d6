"""The spruceid/siwe verification vectors, through our verify service: clock frozen at the vector's
`time`, expected domain its `domainBinding`, nonce store seeded with its `matchNonce` (each defaulting
to the message's own), chain and site taken from the message.

The vectors verify messages decades after they were issued, so the platform's own freshness rule
(message age) is off here; it has its own tests. Clock-skew tolerance stays at the configured value.
"""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.conf import settings

from apps.accounts.models import SiweNonce
from apps.accounts.services import verify_sign_in
from apps.accounts.verification import SignInError, SignInPolicy, timestamp
from tests.accounts.helpers import render, vector_cases

pytestmark = [pytest.mark.django_db]

VECTOR_SETTINGS = {"signature", "time", "domainBinding", "matchNonce"}


@pytest.fixture(autouse=True)
def offline(settings):
    settings.CHAIN_RPC_URL = ""


def verify_vector(case: dict, *, request, clock):
    if "time" in case:
        clock.now = timestamp(case["time"])
    SiweNonce.objects.create(
        value=case.get("matchNonce", case["nonce"]),
        session_key=request.session.session_key,
        created_at=clock.now,
        expires_at=clock.now + timedelta(seconds=settings.SIWE_NONCE_TTL_SECONDS),
    )
    uri = urlsplit(case["uri"])
    policy = SignInPolicy(
        domain=case.get("domainBinding", case["domain"]),
        origin=f"{uri.scheme}://{uri.netloc}",
        chain_ids=(case["chainId"],),
        clock_skew=timedelta(seconds=settings.SIWE_CLOCK_SKEW_SECONDS),
        max_message_age=None,
    )
    fields = {name: value for name, value in case.items() if name not in VECTOR_SETTINGS}
    return verify_sign_in(request=request, message=render(fields), signature=case["signature"], policy=policy)


@pytest.mark.parametrize("case", vector_cases("verification_positive.json"))
def test_vector_that_must_verify_signs_in(case, session_request, clock):
    user = verify_vector(case, request=session_request, clock=clock)

    assert user.address == case["address"]
    assert session_request.user == user


# The vectors only say "refused"; this says which of our checks must be the one refusing.
REFUSING_CHECK = {
    "expired message": "expiration_time",
    "domain binding": "domain",
    "custom time": "expiration_time",
    "custom nonce": "nonce",
    "malformed signature": "signature",
    "wrong signature": "signature",
    "not yet valid": "not_before",
    "invalid issuedAt": "message",
    "invalid notBefore": "message",
    "invalid expirationTime": "message",
}


@pytest.mark.parametrize("case", vector_cases("verification_negative.json"))
def test_vector_that_must_not_verify_is_refused(case, session_request, clock, request):
    with pytest.raises(SignInError) as refused:
        verify_vector(case, request=session_request, clock=clock)

    assert refused.value.check == REFUSING_CHECK[request.node.callspec.id]
    assert not session_request.user.is_authenticated
