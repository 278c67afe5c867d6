"""store_blob / delete_blob / read_blob on the embedded local store."""

from __future__ import annotations

import pytest

from apps.storage.backends import BlobNotFound
from apps.storage.cid import unixfs_cid
from apps.storage.models import StoredBlob
from apps.storage.selectors import read_blob
from apps.storage.services import BlobTooLarge, delete_blob, store_blob

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def local_store(settings, tmp_path):
    settings.IPFS_API_URL = ""
    settings.STORAGE_DIR = tmp_path / "blobs"
    settings.STORAGE_MAX_UPLOAD_BYTES = 1000


def test_store_and_read():
    cid = store_blob(data=b"an item", content_type="text/plain")
    assert cid == unixfs_cid(b"an item")
    assert read_blob(cid) == b"an item"
    row = StoredBlob.objects.get(cid=cid)
    assert (row.size, row.content_type) == (7, "text/plain")


def test_storing_the_same_bytes_twice_keeps_one_record():
    assert store_blob(data=b"same") == store_blob(data=b"same")
    assert StoredBlob.objects.count() == 1


def test_size_limit_from_argument():
    with pytest.raises(BlobTooLarge, match="11 bytes exceeds the limit of 10 bytes"):
        store_blob(data=b"x" * 11, max_bytes=10)
    assert store_blob(data=b"x" * 10, max_bytes=10)
    assert StoredBlob.objects.count() == 1


def test_size_limit_defaults_to_the_setting(settings):
    with pytest.raises(BlobTooLarge, match="1,000"):
        store_blob(data=b"x" * 1001)
    assert not settings.STORAGE_DIR.exists()
    assert StoredBlob.objects.count() == 0


def test_delete_blob():
    cid = store_blob(data=b"failed import")
    delete_blob(cid)
    assert not StoredBlob.objects.filter(cid=cid).exists()
    with pytest.raises(BlobNotFound):
        read_blob(cid)
