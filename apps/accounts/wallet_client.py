"""What a wallet does with the server's sign-in challenge (`POST /api/auth/nonce`): write the
EIP-4361 message from it and sign it with personal_sign. Scripts that sign in as a labeler use it
(the crowd simulator, the load benchmark); the browser does the same in static/js/siwe.js."""

from __future__ import annotations

from eth_account.messages import encode_defunct
from eth_account.signers.local import LocalAccount
from siwe import SiweMessage


def answer_challenge(*, challenge: dict, account: LocalAccount) -> dict[str, str]:
    """The body of `POST /api/auth/verify`: {message, signature}."""
    message = SiweMessage(
        domain=challenge["domain"],
        address=account.address,
        statement=challenge["statement"],
        uri=challenge["uri"],
        version="1",
        chain_id=challenge["chainId"],
        nonce=challenge["nonce"],
        issued_at=challenge["issuedAt"],
        expiration_time=challenge["expirationTime"],
    ).prepare_message()
    return {"message": message, "signature": account.sign_message(encode_defunct(text=message)).signature.to_0x_hex()}
