"""Decoded arguments are JSON a browser reads without losing precision."""

from apps.chain.decoding import json_safe


def test_json_safe_keeps_javascript_safe_values_and_stringifies_the_rest():
    value = {
        "amount": 2**53 - 1,
        "big": 2**256 - 1,
        "negative": -(2**60),
        "flag": True,
        "labels": b"\x01\xff",
        "words": (1, 2**64),
        "nested": {"root": bytes(32)},
    }

    assert json_safe(value) == {
        "amount": 2**53 - 1,
        "big": str(2**256 - 1),
        "negative": str(-(2**60)),
        "flag": True,
        "labels": "0x01ff",
        "words": [1, str(2**64)],
        "nested": {"root": "0x" + "00" * 32},
    }
