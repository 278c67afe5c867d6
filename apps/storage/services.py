"""Writes to the blob store. Other apps store and delete blobs through these functions only."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from apps.storage.backends import BlobStoreError, get_blob_store
from apps.storage.models import StoredBlob


class BlobTooLarge(BlobStoreError):
    pass


def store_blob(*, data: bytes, max_bytes: int | None = None, content_type: str = "application/octet-stream") -> str:
    """Store `data` and return its CID; storing the same bytes again returns the same CID.

    `max_bytes` defaults to STORAGE_MAX_UPLOAD_BYTES. The blob is written before its row: a failure
    in between leaves an unrecorded blob, which is harmless, never a row without its blob.
    """
    limit = settings.STORAGE_MAX_UPLOAD_BYTES if max_bytes is None else max_bytes
    if len(data) > limit:
        raise BlobTooLarge(f"blob of {len(data):,} bytes exceeds the limit of {limit:,} bytes")
    cid = get_blob_store().put(data)
    StoredBlob.objects.get_or_create(cid=cid, defaults={"size": len(data), "content_type": content_type})
    return cid


@transaction.atomic
def delete_blob(cid: str) -> None:
    """Remove a blob, e.g. after a failed import. Identical bytes share one CID, so the caller
    checks first that nothing else refers to it."""
    StoredBlob.objects.filter(cid=cid).delete()
    get_blob_store().delete(cid)
