"""KuboBlobStore against a real IPFS node speaking kubo's RPC API (js-ipfs, see ipfs_node.py)."""

from __future__ import annotations

import random

import pytest

from apps.storage import backends
from apps.storage.backends import BlobNotFound, BlobStoreError, KuboBlobStore, StorageUnavailable
from apps.storage.cid import CHUNK_SIZE, MAX_LINKS_PER_NODE, unixfs_cid
from apps.storage.selectors import read_blob
from apps.storage.services import delete_blob, store_blob
from tests.storage.ipfs_node import free_port, running_js_ipfs


@pytest.fixture(scope="module")
def ipfs_api_url(tmp_path_factory):
    with running_js_ipfs(tmp_path_factory.mktemp("js-ipfs") / "repo") as url:
        yield url


@pytest.fixture
def store(ipfs_api_url) -> KuboBlobStore:
    return KuboBlobStore(ipfs_api_url)


def blob(size: int, seed: int) -> bytes:
    return random.Random(seed).randbytes(size)


@pytest.mark.parametrize(
    "size",
    [0, 1, CHUNK_SIZE, CHUNK_SIZE + 1, 3 * CHUNK_SIZE + 17],
    ids=["empty", "one byte", "one chunk", "chunk + 1", "three chunks + 17"],
)
def test_round_trip_with_the_local_cid(store, size):
    data = blob(size, seed=size)
    cid = store.put(data)
    assert cid == unixfs_cid(data)
    assert store.exists(cid)
    assert store.get(cid) == data


def test_a_two_level_tree_gets_the_local_cid(store):
    block = blob(1_000_003, seed=9)
    size = (MAX_LINKS_PER_NODE + 1) * CHUNK_SIZE + 17
    data = (block * (size // len(block) + 1))[:size]
    assert store.put(data) == unixfs_cid(data)


def test_put_is_idempotent(store):
    data = blob(1000, seed=1)
    assert store.put(data) == store.put(data)
    assert store.exists(unixfs_cid(data))


def test_delete_unpins(store):
    cid = store.put(blob(500, seed=2))
    store.delete(cid)
    assert not store.exists(cid)
    store.delete(cid)  # a no-op the second time
    with pytest.raises(BlobNotFound):
        store.get(cid)


def test_unknown_cid_is_not_found_without_searching_the_network(store):
    cid = unixfs_cid(b"never stored anywhere")
    assert not store.exists(cid)
    with pytest.raises(BlobNotFound, match=cid):
        store.get(cid)


def test_a_node_chunking_differently_is_refused(store, monkeypatch):
    # Stands in for a node whose Import.* config overrides kubo's defaults: asked for other chunks,
    # it names the bytes with a CID the local backend would not give them.
    monkeypatch.setattr(backends, "CHUNK_SIZE", CHUNK_SIZE // 2)
    with pytest.raises(BlobStoreError, match="import settings"):
        store.put(blob(CHUNK_SIZE, seed=3))


@pytest.mark.django_db
def test_services_use_the_node_when_ipfs_api_url_is_set(settings, ipfs_api_url, tmp_path):
    settings.IPFS_API_URL = ipfs_api_url
    settings.STORAGE_DIR = tmp_path / "unused"
    cid = store_blob(data=b"stored on IPFS")
    assert read_blob(cid) == b"stored on IPFS"
    delete_blob(cid)
    assert not KuboBlobStore(ipfs_api_url).exists(cid)
    assert not settings.STORAGE_DIR.exists()


def test_unreachable_node_is_reported_clearly():
    url = f"http://127.0.0.1:{free_port()}"
    store = KuboBlobStore(url, timeout=2)
    cid = unixfs_cid(b"x")
    for call in (lambda: store.put(b"x"), lambda: store.get(cid), lambda: store.exists(cid), lambda: store.delete(cid)):
        with pytest.raises(StorageUnavailable, match=f"IPFS node at {url}/api/v0 is unreachable"):
            call()
