from __future__ import annotations

from apps.accounts.models import SiweNonce


def get_nonce(*, value: str) -> SiweNonce | None:
    return SiweNonce.objects.filter(value=value).first()
