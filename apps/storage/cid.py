"""Content ids computed exactly as `ipfs add --cid-version=1 --raw-leaves` computes them on kubo's
defaults, so the local backend and an IPFS node name the same bytes with the same CID.

kubo's defaults: fixed 262,144-byte chunks, each chunk a raw block (codec raw); a file of at most
one chunk is that single raw block (the empty file included); a longer file is a balanced tree of
dag-pb nodes, each carrying UnixFS `File` data (filesize, blocksizes) and at most 174 links. All
hashes are sha2-256; CIDs are version 1 in lowercase base32 ("b…").

The protobuf encoding is written by hand: only a handful of fields occur, and dag-pb requires a
canonical byte order (PBNode Links before Data; PBLink Hash, Name, Tsize) that a generic protobuf
library does not promise.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

CHUNK_SIZE = 262_144
MAX_LINKS_PER_NODE = 174

CODEC_RAW = 0x55
CODEC_DAG_PB = 0x70
SHA2_256 = 0x12
SHA2_256_LENGTH = 32
CID_VERSION = 1
UNIXFS_TYPE_FILE = 2

# Protobuf wire types.
_VARINT = 0
_LENGTH_DELIMITED = 2


class InvalidCid(ValueError):
    pass


def _varint(value: int) -> bytes:
    out = bytearray()
    while value > 0x7F:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _varint_field(number: int, value: int) -> bytes:
    return _varint(number << 3 | _VARINT) + _varint(value)


def _bytes_field(number: int, value: bytes) -> bytes:
    return _varint(number << 3 | _LENGTH_DELIMITED) + _varint(len(value)) + value


def _binary_cid(codec: int, block: bytes | memoryview) -> bytes:
    digest = hashlib.sha256(block).digest()
    return _varint(CID_VERSION) + _varint(codec) + _varint(SHA2_256) + _varint(SHA2_256_LENGTH) + digest


def _to_text(binary_cid: bytes) -> str:
    return "b" + base64.b32encode(binary_cid).decode("ascii").lower().rstrip("=")


def cid_for_bytes(block: bytes, codec: int = CODEC_RAW) -> str:
    """CIDv1 of one block (codec raw unless told otherwise)."""
    return _to_text(_binary_cid(codec, block))


@dataclass(frozen=True)
class _DagNode:
    cid: bytes
    tsize: int  # encoded bytes of this block and every block below it (dag-pb PBLink.Tsize)
    filesize: int  # file bytes below it (UnixFS blocksizes / filesize)


def _leaf(chunk: memoryview) -> _DagNode:
    return _DagNode(cid=_binary_cid(CODEC_RAW, chunk), tsize=len(chunk), filesize=len(chunk))


def _parent(children: list[_DagNode]) -> _DagNode:
    filesize = sum(child.filesize for child in children)
    unixfs = (
        _varint_field(1, UNIXFS_TYPE_FILE)
        + _varint_field(3, filesize)
        + b"".join(_varint_field(4, child.filesize) for child in children)
    )
    # go-merkledag writes an empty Name on every link; omitting it would change the hash.
    links = b"".join(
        _bytes_field(2, _bytes_field(1, child.cid) + _bytes_field(2, b"") + _varint_field(3, child.tsize))
        for child in children
    )
    block = links + _bytes_field(1, unixfs)
    return _DagNode(
        cid=_binary_cid(CODEC_DAG_PB, block),
        tsize=len(block) + sum(child.tsize for child in children),
        filesize=filesize,
    )


def unixfs_cid(data: bytes) -> str:
    """The CID `ipfs add --cid-version=1 --raw-leaves` gives a file holding `data`."""
    view = memoryview(data)
    # max(…, 1): the empty file is one empty raw leaf, as kubo and the js importer make it.
    level = [_leaf(view[start : start + CHUNK_SIZE]) for start in range(0, max(len(view), 1), CHUNK_SIZE)]
    # kubo's balanced layout fills a complete tree left to right with every leaf at the same depth;
    # grouping each level into runs of MAX_LINKS_PER_NODE builds that same tree bottom-up.
    while len(level) > 1:
        level = [_parent(level[i : i + MAX_LINKS_PER_NODE]) for i in range(0, len(level), MAX_LINKS_PER_NODE)]
    return _to_text(level[0].cid)


def _read_varint(binary: bytes, offset: int) -> tuple[int, int]:
    value = shift = 0
    while offset < len(binary):
        byte = binary[offset]
        offset += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, offset
        shift += 7
    raise InvalidCid("truncated varint")


def validate_cid(cid: str) -> str:
    """Return `cid` if it is a CID this store can hold (v1, base32, raw or dag-pb, sha2-256).

    Stores call this before a CID reaches a file path or a URL, so a crafted id cannot escape them.
    """
    if not isinstance(cid, str) or not cid.startswith("b") or cid != cid.lower():
        raise InvalidCid(f"not a lowercase base32 CIDv1: {cid!r}")
    body = cid[1:].upper()
    try:
        binary = base64.b32decode(body + "=" * (-len(body) % 8))
    except ValueError as error:
        raise InvalidCid(f"not base32: {cid!r}") from error
    version, offset = _read_varint(binary, 0)
    codec, offset = _read_varint(binary, offset)
    hash_code, offset = _read_varint(binary, offset)
    length, offset = _read_varint(binary, offset)
    if version != CID_VERSION or codec not in (CODEC_RAW, CODEC_DAG_PB):
        raise InvalidCid(f"not a CIDv1 of a raw or dag-pb block: {cid!r}")
    if hash_code != SHA2_256 or length != SHA2_256_LENGTH or len(binary) - offset != length:
        raise InvalidCid(f"not a sha2-256 CID: {cid!r}")
    if _to_text(binary) != cid:
        raise InvalidCid(f"not in canonical form: {cid!r}")
    return cid
