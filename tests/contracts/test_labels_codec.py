import pytest

from apps.chain.labels import pack_labels, unpack_labels


def test_pack_round_trips_in_order():
    packed = pack_labels(item_ids=[0, 5, (1 << 28) - 1], labels=[15, 0, 3])
    assert packed.hex() == "0000000f" + "00000050" + "fffffff3"
    assert unpack_labels(packed) == [(0, 15), (5, 0), ((1 << 28) - 1, 3)]


@pytest.mark.parametrize(
    "item_ids, labels", [([1 << 28], [0]), ([0], [16]), ([-1], [0]), ([0, 1], [0])]
)
def test_pack_rejects_what_does_not_fit(item_ids, labels):
    with pytest.raises(ValueError):
        pack_labels(item_ids=item_ids, labels=labels)


def test_unpack_rejects_partial_entries():
    with pytest.raises(ValueError):
        unpack_labels(b"\x00\x00\x01")
