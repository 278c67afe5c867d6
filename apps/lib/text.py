"""Small text helpers more than one app shows things with."""

from __future__ import annotations


def short_address(address: str) -> str:
    """0x1234…abcd: enough of a wallet address to tell people apart on a page."""
    return f"{address[:6]}…{address[-4:]}" if len(address) > 12 else address
