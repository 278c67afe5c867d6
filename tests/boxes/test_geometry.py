"""IoU, Hungarian matching, the gold score, the canonical form and commitment, consolidation."""

import pytest
from eth_utils import keccak

from apps.boxes.geometry import (
    Box,
    box_commitment,
    canonical_boxes,
    consolidate,
    count_label,
    encode_boxes,
    iou,
    match_boxes,
    score_boxes_against_gold,
)


def test_iou():
    a = Box(0, 0, 0, 10, 10)
    assert iou(a, a) == 1.0
    assert iou(a, Box(0, 5, 0, 10, 10)) == pytest.approx(50 / 150)
    assert iou(a, Box(0, 10, 0, 10, 10)) == 0.0  # touching edges
    assert iou(a, Box(0, 2, 2, 5, 5)) == pytest.approx(25 / 100)


def test_matching_is_one_to_one_and_within_a_class():
    gold = [Box(0, 0, 0, 10, 10), Box(0, 8, 0, 10, 10)]
    answer = [Box(0, 7, 0, 10, 10), Box(1, 0, 0, 10, 10)]  # greedy would pair the first with gold 1 too
    pairs = match_boxes(answer, gold)
    assert [(i, j) for i, j, _ in pairs] == [(0, 1)]  # the class-1 box matches nothing


def test_hungarian_beats_greedy():
    gold = [Box(0, 0, 0, 10, 10), Box(0, 6, 0, 10, 10)]
    answer = [Box(0, 3, 0, 10, 10), Box(0, 0, 0, 9, 10)]
    pairs = {i: j for i, j, _ in match_boxes(answer, gold)}
    assert pairs == {0: 1, 1: 0}  # greedy on the best single IoU would take (0, 0) first and lose total IoU


def test_gold_score():
    gold = [Box(0, 0, 0, 10, 10), Box(1, 50, 50, 10, 10)]
    assert score_boxes_against_gold(gold, gold) == 1.0
    assert score_boxes_against_gold([], []) == 1.0
    assert score_boxes_against_gold([], gold) == 0.0
    assert score_boxes_against_gold(gold[:1], gold) == pytest.approx(0.5)  # one missed box counts 0
    assert score_boxes_against_gold([*gold, Box(0, 90, 90, 5, 5)], gold) == pytest.approx(2 / 3)  # a spurious one too
    assert score_boxes_against_gold([Box(1, 0, 0, 10, 10)], gold[:1]) == 0.0  # wrong class
    shifted = [Box(0, 5, 0, 10, 10)]
    assert score_boxes_against_gold(shifted, gold[:1]) == pytest.approx(1 / 3)
    as_stored = [{"class": 0, "x": 5, "y": 0, "w": 10, "h": 10}]  # the API's and the database's form
    assert score_boxes_against_gold(as_stored, [b.as_dict() for b in gold[:1]]) == pytest.approx(1 / 3)


def test_canonical_form_and_commitment():
    boxes = [Box(1, 3.333, 4, 5, 6), Box(0, 10.004, 2, 3, 4)]
    canonical = canonical_boxes(boxes)
    assert canonical == [Box(0, 10.0, 2, 3, 4), Box(1, 3.33, 4, 5, 6)]  # sorted, to 1/100 px
    assert box_commitment(boxes) == box_commitment(reversed(boxes)) == box_commitment(canonical)
    assert box_commitment(boxes) != box_commitment([Box(0, 10.0, 2, 3, 4), Box(1, 3.34, 4, 5, 6)])
    encoded = encode_boxes(canonical)
    assert len(encoded) == 34 and encoded[:17] == bytes([0]) + b"".join(
        v.to_bytes(4, "big") for v in (1000, 200, 300, 400)
    )
    assert box_commitment([]) == keccak(b"")


def test_count_label_saturates():
    assert count_label([]) == 0 and count_label([Box(0, 0, 0, 1, 1)] * 3) == 3
    assert count_label([Box(0, 0, 0, 1, 1)] * 40) == 15


def test_consolidation_clusters_by_iou():
    answers = {
        "a": [Box(0, 10, 10, 100, 100), Box(1, 300, 300, 50, 50)],
        "b": [Box(0, 14, 10, 100, 100)],
        "c": [Box(0, 12, 12, 96, 100), Box(0, 500, 10, 20, 20)],
    }
    consensus = consolidate(answers)
    assert len(consensus) == 1  # the person and c's stray car are single votes of three
    car = consensus[0]
    assert car.confidence == 1.0 and car.workers == 3
    assert car.box == Box(0, 12, 10.67, 98.67, 100)
    everything = consolidate(answers, min_confidence=0.0)
    assert sorted(round(c.confidence, 3) for c in everything) == [0.333, 0.333, 1.0]


def test_one_worker_never_fills_a_cluster_twice():
    answers = {"a": [Box(0, 0, 0, 10, 10), Box(0, 1, 0, 10, 10)], "b": [Box(0, 0, 0, 10, 10)]}
    consensus = consolidate(answers, min_confidence=0.0)
    assert sorted(c.workers for c in consensus) == [1, 2]


def test_no_answers():
    assert consolidate({}) == []
    assert consolidate({"a": [], "b": []}) == []
