"""LocalBlobStore: the embedded default, files under STORAGE_DIR named by CID."""

from __future__ import annotations

import os

import pytest

from apps.storage.backends import BlobCorrupted, BlobNotFound, KuboBlobStore, LocalBlobStore, get_blob_store
from apps.storage.cid import CHUNK_SIZE, InvalidCid, unixfs_cid

BIG = bytes(range(256)) * (3 * CHUNK_SIZE // 256) + b"tail"


@pytest.fixture
def store(tmp_path) -> LocalBlobStore:
    return LocalBlobStore(tmp_path / "blobs")


@pytest.mark.parametrize("data", [b"", b"hello", BIG], ids=["empty", "small", "multi-chunk"])
def test_put_get_round_trip(store, data):
    cid = store.put(data)
    assert cid == unixfs_cid(data)
    assert store.exists(cid)
    assert store.get(cid) == data


def test_put_is_idempotent(store):
    first = store.put(BIG)
    files = sorted(store.root.rglob("*"))
    assert store.put(BIG) == first
    assert sorted(store.root.rglob("*")) == files


def test_blobs_are_sharded_by_the_varying_end_of_the_cid(store):
    cid = store.put(b"hello")
    assert store.path_for(cid) == store.root / cid[-3:-1] / cid
    assert store.path_for(cid).read_bytes() == b"hello"


def test_get_detects_a_file_changed_on_disk(store):
    cid = store.put(b"original bytes")
    store.path_for(cid).write_bytes(b"tampered bytes")
    with pytest.raises(BlobCorrupted, match=cid):
        store.get(cid)
    # Putting the bytes again repairs the copy.
    store.put(b"original bytes")
    assert store.get(cid) == b"original bytes"


def test_missing_blob(store):
    cid = unixfs_cid(b"never stored")
    assert not store.exists(cid)
    with pytest.raises(BlobNotFound):
        store.get(cid)


def test_delete(store):
    cid = store.put(b"to delete")
    store.delete(cid)
    assert not store.exists(cid)
    store.delete(cid)  # deleting again is a no-op


def test_a_failed_write_leaves_no_file(store, monkeypatch):
    cid = unixfs_cid(BIG)

    def crash(fd):
        raise OSError("disk full")

    # fsync runs after the bytes are written to the temporary file and before the rename.
    monkeypatch.setattr(os, "fsync", crash)
    with pytest.raises(OSError, match="disk full"):
        store.put(BIG)
    assert not store.exists(cid)
    assert [path for path in store.root.rglob("*") if path.is_file()] == []


def test_a_failed_rewrite_keeps_the_old_copy_whole(store, monkeypatch):
    cid = store.put(BIG)
    store.path_for(cid).write_bytes(b"damaged")

    def crash(source, target):
        raise OSError("power cut")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="power cut"):
        store.put(BIG)
    assert store.path_for(cid).read_bytes() == b"damaged"
    assert [path.name for path in store.path_for(cid).parent.iterdir()] == [cid]


@pytest.mark.parametrize("cid", ["../escape", "bafkrei/../../x", ""])
def test_ids_that_are_not_cids_never_reach_the_file_system(store, cid):
    with pytest.raises(InvalidCid):
        store.get(cid)
    with pytest.raises(InvalidCid):
        store.delete(cid)


def test_get_blob_store_follows_settings(settings, tmp_path):
    settings.IPFS_API_URL = ""
    settings.STORAGE_DIR = tmp_path
    local = get_blob_store()
    assert isinstance(local, LocalBlobStore) and local.root == tmp_path
    settings.IPFS_API_URL = "http://127.0.0.1:5001/"
    kubo = get_blob_store()
    assert isinstance(kubo, KuboBlobStore) and kubo.api_url == "http://127.0.0.1:5001/api/v0"
