"""Reads from the blob store."""

from __future__ import annotations

from apps.storage.backends import get_blob_store


def read_blob(cid: str) -> bytes:
    """The bytes named `cid`, checked against it; raises BlobNotFound / BlobCorrupted."""
    return get_blob_store().get(cid)
