"""The packed label-batch format JobInstance.submitLabels takes and LabelsSubmitted carries:
4 bytes per label, big-endian uint32 (item_id << 4 | label)."""

from __future__ import annotations

from collections.abc import Sequence

ITEM_ID_LIMIT = 1 << 28
LABEL_LIMIT = 16


def pack_labels(*, item_ids: Sequence[int], labels: Sequence[int]) -> bytes:
    if len(item_ids) != len(labels):
        raise ValueError("item_ids and labels differ in length")
    for item_id, label in zip(item_ids, labels):
        if not 0 <= item_id < ITEM_ID_LIMIT or not 0 <= label < LABEL_LIMIT:
            raise ValueError(f"label ({item_id}, {label}) does not fit the packed format")
    return b"".join(((item_id << 4) | label).to_bytes(4, "big") for item_id, label in zip(item_ids, labels))


def unpack_labels(packed: bytes) -> list[tuple[int, int]]:
    """(item_id, label) pairs, in batch order."""
    if len(packed) % 4:
        raise ValueError("a packed batch is a multiple of 4 bytes")
    entries = (int.from_bytes(packed[i : i + 4], "big") for i in range(0, len(packed), 4))
    return [(entry >> 4, entry & 15) for entry in entries]
