"""Sign-In with Ethereum (EIP-4361) checks that need neither the database nor the request.

The message text is parsed here with the `siwe` package, but the signature is checked against the
exact text the wallet signed, not against siwe's re-serialisation of the parsed fields: the two can
differ (siwe writes "Chain ID: 1" for a parsed chain id of 0, for instance), and only the signed text
is what the user saw.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest
from eth_account import Account
from eth_account.messages import defunct_hash_message, encode_defunct
from eth_keys.exceptions import BadSignature

from apps.chain.eip1271 import is_valid_contract_signature
from apps.chain.errors import ChainUnavailable

with warnings.catch_warnings():
    # siwe's grammar redefines ABNF core rules (ALPHA, DIGIT, ...) on purpose; abnf warns on every start.
    warnings.filterwarnings("ignore", message="rule '.*' redefines")
    from siwe import SiweMessage

SIGNATURE_LENGTH = 65  # r, s, v of an ECDSA signature by an externally owned account


class SignInError(Exception):
    """A sign-in attempt was refused. `check` names the failed check; the message is for the user."""

    def __init__(self, check: str, message: str, *, status: int = 400):
        super().__init__(message)
        self.check = check
        self.status = status


@dataclass(frozen=True)
class SignInPolicy:
    """What a message must say to sign in here."""

    domain: str  # RFC 3986 authority the message must name, e.g. "crowdal.example" or "127.0.0.1:8000"
    origin: str  # scheme://authority the message's URI must be under
    chain_ids: tuple[int, ...]
    clock_skew: timedelta
    # None leaves Issued At unchecked, as EIP-4361 itself does (its test vectors verify messages decades
    # away from their Issued At); otherwise it may be at most this old and not in the future.
    max_message_age: timedelta | None

    @classmethod
    def for_request(cls, request: HttpRequest) -> SignInPolicy:
        domain = settings.SIWE_DOMAIN or request.get_host()
        return cls(
            domain=domain,
            origin=f"{request.scheme}://{domain}",
            chain_ids=tuple(settings.SIWE_CHAIN_IDS),
            clock_skew=timedelta(seconds=settings.SIWE_CLOCK_SKEW_SECONDS),
            max_message_age=timedelta(seconds=settings.SIWE_MAX_MESSAGE_AGE_SECONDS),
        )


def timestamp(value: str) -> datetime:
    return datetime.fromisoformat(value)


def parse_message(text: str) -> SiweMessage:
    try:
        return SiweMessage.from_message(text)
    except ValueError as error:  # siwe's grammar errors and pydantic's ValidationError both are
        raise SignInError("message", "This is not a valid Sign-In with Ethereum (EIP-4361) message.") from error


def check_message(message: SiweMessage, *, policy: SignInPolicy, now: datetime) -> None:
    """Everything about the message except its signature and its nonce."""
    site_scheme = urlsplit(policy.origin).scheme
    if message.scheme and message.scheme.lower() != site_scheme:
        raise SignInError(
            "scheme", f"This sign-in message was issued for another site (scheme {message.scheme}, not {site_scheme})."
        )
    if message.domain.lower() != policy.domain.lower():
        raise SignInError("domain", f"This sign-in message was issued for another site (domain {message.domain}).")
    uri = urlsplit(message.uri)
    if f"{uri.scheme}://{uri.netloc}".lower() != policy.origin.lower():
        raise SignInError(
            "uri", f"This sign-in message names another address for this site (URI {message.uri}, not {policy.origin})."
        )
    if message.chain_id not in policy.chain_ids:
        chains = " or ".join(str(chain_id) for chain_id in policy.chain_ids)
        raise SignInError("chain_id", f"Wrong network: sign in on chain {chains}.")
    skew = policy.clock_skew
    if message.expiration_time and now - skew >= timestamp(message.expiration_time):
        raise SignInError("expiration_time", f"This sign-in message expired at {message.expiration_time}.")
    if message.not_before and now + skew < timestamp(message.not_before):
        raise SignInError("not_before", f"This sign-in message is not valid before {message.not_before}.")
    if policy.max_message_age is not None:
        issued_at = timestamp(message.issued_at)
        if issued_at > now + skew:
            raise SignInError(
                "issued_at", f"This sign-in message is dated in the future ({message.issued_at}); check your clock."
            )
        if issued_at < now - policy.max_message_age:
            raise SignInError("issued_at", f"This sign-in message is too old (issued at {message.issued_at}).")


def check_signature(message: SiweMessage, *, text: str, signature: str) -> None:
    """The signer of `text` must be the message's address: an account's key, or a contract wallet
    (EIP-1271) on the message's chain when a chain is configured."""
    try:
        raw = bytes.fromhex(signature.removeprefix("0x"))
    except ValueError:
        raise SignInError("signature", "The signature is malformed: it is not hexadecimal.") from None
    if len(raw) == SIGNATURE_LENGTH and _recover(text, raw) == message.address:
        return
    try:
        if is_valid_contract_signature(
            chain_id=message.chain_id,
            address=message.address,
            message_hash=defunct_hash_message(text=text),
            signature=raw,
        ):
            return
    except ChainUnavailable as error:
        raise SignInError(
            "signature", "Could not reach the chain to check your contract wallet's signature; try again.", status=503
        ) from error
    if len(raw) != SIGNATURE_LENGTH:
        raise SignInError(
            "signature", f"The signature is malformed: {len(raw)} bytes where {SIGNATURE_LENGTH} are expected."
        )
    raise SignInError("signature", "The signature does not match this message and address.")


def _recover(text: str, raw: bytes) -> str | None:
    try:
        return Account.recover_message(encode_defunct(text=text), signature=raw)
    except (BadSignature, ValueError):  # r or s out of range, v not a recovery id
        return None
