"""Blob stores addressed by content id: a local directory (the embedded default) and a kubo node
spoken to over its RPC API (when IPFS_API_URL is set). Both name a blob by the CID that
`ipfs add --cid-version=1 --raw-leaves` gives its bytes, so switching backends keeps every id.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Protocol

import requests
from django.conf import settings

from apps.storage.cid import CHUNK_SIZE, unixfs_cid, validate_cid


class BlobStoreError(RuntimeError):
    pass


class BlobNotFound(BlobStoreError):
    pass


class BlobCorrupted(BlobStoreError):
    pass


class StorageUnavailable(BlobStoreError):
    pass


class IpfsRpcError(BlobStoreError):
    """The IPFS node answered a call with an error; `message` is its own wording."""

    def __init__(self, command: str, status: int, message: str) -> None:
        super().__init__(f"IPFS {command} failed: HTTP {status}: {message}")
        self.message = message


class BlobStore(Protocol):
    def put(self, data: bytes) -> str:
        """Store `data` (a no-op if already stored) and return its CID."""

    def get(self, cid: str) -> bytes:
        """The bytes named `cid`; BlobNotFound if absent, BlobCorrupted if they do not hash to it."""

    def exists(self, cid: str) -> bool: ...

    def delete(self, cid: str) -> None:
        """Forget `cid` (a no-op if absent). Identical bytes share one blob: callers check that
        nothing else refers to it first."""


class LocalBlobStore:
    """One file per blob under `root`, named by CID.

    Files are sharded like kubo's flatfs (`next-to-last/2`: the two characters before the last),
    since every CID starts with the same multibase/version/codec header and a prefix would put
    them all in one directory.
    """

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)

    def path_for(self, cid: str) -> Path:
        validate_cid(cid)
        return self.root / cid[-3:-1] / cid

    def put(self, data: bytes) -> str:
        cid = unixfs_cid(data)
        path = self.path_for(cid)
        # Rewriting a damaged copy repairs it; an intact one is left alone.
        if path.is_file() and path.read_bytes() == data:
            return cid
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write beside the target and rename: a reader sees the whole blob or none, even if this
        # process dies half-way.
        fd, temp_name = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as temp:
                temp.write(data)
                temp.flush()
                os.fsync(temp.fileno())
            os.replace(temp_name, path)
        except BaseException:
            Path(temp_name).unlink(missing_ok=True)
            raise
        return cid

    def get(self, cid: str) -> bytes:
        path = self.path_for(cid)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise BlobNotFound(f"no blob {cid} in {self.root}") from None
        if unixfs_cid(data) != cid:
            raise BlobCorrupted(f"{path} no longer hashes to {cid}: the file was changed on disk")
        return data

    def exists(self, cid: str) -> bool:
        return self.path_for(cid).is_file()

    def delete(self, cid: str) -> None:
        self.path_for(cid).unlink(missing_ok=True)


class KuboBlobStore:
    """A thin client of kubo's RPC API (`/api/v0`) over `requests`.

    `ipfshttpclient` refuses every kubo release since 0.8, and the few calls needed here do not
    justify an async client. Blobs are added pinned, so the node's garbage collector keeps them
    until `delete` unpins them.
    """

    def __init__(self, api_url: str, *, timeout: float = 60.0) -> None:
        base = api_url.rstrip("/")
        self.api_url = base if base.endswith("/api/v0") else base + "/api/v0"
        self.timeout = timeout
        self.session = requests.Session()

    def _call(self, command: str, params: dict[str, str], **kwargs) -> requests.Response:
        url = f"{self.api_url}/{command}"
        try:
            # kubo's RPC accepts POST only (GET is refused to stop browsers from triggering it).
            response = self.session.post(url, params=params, timeout=self.timeout, **kwargs)
        except (requests.ConnectionError, requests.Timeout) as error:
            raise StorageUnavailable(f"IPFS node at {self.api_url} is unreachable ({command}): {error}") from error
        if not response.ok:
            raise IpfsRpcError(command, response.status_code, _error_message(response))
        return response

    def put(self, data: bytes) -> str:
        expected = unixfs_cid(data)
        # Every import option is spelled out: a node's Import.* config may change the defaults,
        # and a CID that differed from the local backend's would break the promise of one id per blob.
        params = {
            "cid-version": "1",
            "raw-leaves": "true",
            "chunker": f"size-{CHUNK_SIZE}",
            "hash": "sha2-256",
            "pin": "true",
            "quieter": "true",
            "cid-base": "base32",
        }
        response = self._call("add", params, files={"file": ("blob", data, "application/octet-stream")})
        lines = [line for line in response.text.splitlines() if line.strip()]
        try:
            cid = json.loads(lines[-1])["Hash"]
        except (IndexError, ValueError, KeyError) as error:
            raise BlobStoreError(f"IPFS add answered something unexpected: {response.text[:200]!r}") from error
        if cid != expected:
            raise BlobStoreError(
                f"IPFS node at {self.api_url} named the blob {cid}, the local computation {expected}: "
                "its import settings (chunker, layout, max links) differ from kubo's defaults"
            )
        return cid

    def get(self, cid: str) -> bytes:
        validate_cid(cid)
        if not self.exists(cid):
            # Checked first: `cat` of an unknown CID would search the network until it timed out.
            raise BlobNotFound(f"no blob {cid} pinned on the IPFS node at {self.api_url}")
        data = self._call("cat", {"arg": cid}).content
        # kubo reports an error met mid-stream only in an HTTP trailer, which requests cannot read,
        # so a truncated answer shows up here as a CID mismatch.
        if unixfs_cid(data) != cid:
            raise BlobCorrupted(f"IPFS node at {self.api_url} returned bytes that do not hash to {cid}")
        return data

    def exists(self, cid: str) -> bool:
        # Pinned, not merely present: an unpinned block lingers until garbage collection, and
        # `exists` must turn false once `delete` has run.
        validate_cid(cid)
        try:
            response = self._call("pin/ls", {"arg": cid, "type": "recursive", "cid-base": "base32"})
        except IpfsRpcError as error:
            if "not pinned" in error.message:
                return False
            raise
        return cid in response.json().get("Keys", {})

    def delete(self, cid: str) -> None:
        validate_cid(cid)
        try:
            self._call("pin/rm", {"arg": cid})
        except IpfsRpcError as error:
            if "not pinned" not in error.message:
                raise


def _error_message(response: requests.Response) -> str:
    try:
        return str(response.json().get("Message", response.text))
    except ValueError:
        return response.text[:200]


def get_blob_store() -> BlobStore:
    """The configured store: kubo when IPFS_API_URL is set, else the local directory STORAGE_DIR."""
    if settings.IPFS_API_URL:
        return KuboBlobStore(settings.IPFS_API_URL)
    return LocalBlobStore(settings.STORAGE_DIR)
