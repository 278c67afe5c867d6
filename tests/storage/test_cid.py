"""apps.storage.cid against js-ipfs's UnixFS importer configured as `ipfs add --cid-version=1
--raw-leaves` on kubo's defaults."""

from __future__ import annotations

import random

import pytest

from apps.storage.cid import CHUNK_SIZE, MAX_LINKS_PER_NODE, InvalidCid, cid_for_bytes, unixfs_cid, validate_cid
from tests.storage.reference import reference_cids

# sha2-256 of nothing as a raw block: what kubo prints for `ipfs add --cid-version=1 --raw-leaves` of an empty file.
EMPTY_FILE_CID = "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"


def pattern(size: int, seed: int) -> bytes:
    # A random block whose length divides no chunk size, repeated: every chunk differs, so a
    # misordered or duplicated link changes the root, yet 46 MB cost one megabyte of randomness.
    block = random.Random(seed).randbytes(1_000_003)
    return (block * (size // len(block) + 1))[:size]


SIZES = {
    "empty": 0,
    "one byte": 1,
    "hundred bytes": 100,
    "chunk - 1": CHUNK_SIZE - 1,
    "one chunk": CHUNK_SIZE,
    "chunk + 1": CHUNK_SIZE + 1,
    "three chunks + 17": 3 * CHUNK_SIZE + 17,
    "one full node": MAX_LINKS_PER_NODE * CHUNK_SIZE,
    # 175 leaves: the root is a node of two nodes, the second holding a single leaf.
    "two levels": (MAX_LINKS_PER_NODE + 1) * CHUNK_SIZE + 17,
}


@pytest.fixture(scope="module")
def cases(tmp_path_factory) -> dict[str, tuple[bytes, str]]:
    """Each case's bytes and the importer's CID, computed in one Node run."""
    directory = tmp_path_factory.mktemp("cid-cases")
    contents = {name: pattern(size, seed=index) for index, (name, size) in enumerate(SIZES.items())}
    rng = random.Random(1234)
    for index in range(5):
        contents[f"random {index}"] = rng.randbytes(rng.randrange(1, 4 * CHUNK_SIZE))
    paths = []
    for index, data in enumerate(contents.values()):
        paths.append(directory / f"case-{index}")
        paths[-1].write_bytes(data)
    return dict(zip(contents, zip(contents.values(), reference_cids(paths))))


@pytest.mark.parametrize("name", [*SIZES, *(f"random {index}" for index in range(5))])
def test_unixfs_cid_matches_js_ipfs_importer(cases, name):
    data, expected = cases[name]
    assert unixfs_cid(data) == expected


def test_empty_file_is_the_empty_raw_block():
    assert unixfs_cid(b"") == cid_for_bytes(b"") == EMPTY_FILE_CID


def test_file_of_at_most_one_chunk_is_a_raw_block():
    data = pattern(CHUNK_SIZE, seed=3)
    assert unixfs_cid(data) == cid_for_bytes(data)
    assert unixfs_cid(data).startswith("bafkrei")  # codec raw
    assert unixfs_cid(data + b"x").startswith("bafybei")  # codec dag-pb


def test_validate_cid_accepts_what_unixfs_cid_makes():
    for data in (b"", b"x" * (CHUNK_SIZE + 1)):
        assert validate_cid(unixfs_cid(data)) == unixfs_cid(data)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "../../etc/passwd",
        "b../../etc/passwd",
        EMPTY_FILE_CID.upper(),
        EMPTY_FILE_CID[:-1],  # not a whole number of base32 bytes
        EMPTY_FILE_CID[:-8],  # digest five bytes short
        "QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH",  # CIDv0
        "baguqeera4oymiquy7qobjgx36tejs35zeqt24qpemsnzgtfeswmrw6csxbkq",  # codec dag-json
    ],
)
def test_validate_cid_rejects(text):
    with pytest.raises(InvalidCid):
        validate_cid(text)
