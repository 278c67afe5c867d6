"""The box-job signals: chance is 0 (a random box set matches nothing), so the accuracy floor is
half the pass bar; copied wrong box sets tie a pair, the empty answer coinciding does not; timing
and common funders work as for classes; people are not flagged."""

import numpy as np

from apps.boxes.geometry import Box
from apps.boxes.screening import BoxEvidence, assess_boxes

ADDRESSES = [f"0x{n:040x}" for n in (1, 2, 3)]
CAR = [Box(0, 100, 100, 200, 100)]


def evidence(right: dict[int, list[bool]], *, on_gold: int, times=None, boxes=None, funders=None) -> BoxEvidence:
    """right[w]: worker w's answers to images 0, 1, 2, ... in order, the first `on_gold` of them gold;
    boxes[w] what it drew (default: the car where right, a box of its own where wrong); times[w]
    its answer times (default: a person's, lognormal around 5 s)."""
    rng = np.random.default_rng(0)
    times = times or {w: rng.lognormal(np.log(5000), 0.6, len(answers)).tolist() for w, answers in right.items()}
    boxes = boxes or {
        w: [CAR if ok else [Box(1, 10 * i, 50 * w, 40, 40)] for i, ok in enumerate(answers)]
        for w, answers in right.items()
    }
    return BoxEvidence(
        items=np.concatenate([np.arange(len(answers)) for answers in right.values()]),
        workers=np.concatenate([[w] * len(answers) for w, answers in right.items()]).astype(np.int64),
        boxes=[drawn for w in right for drawn in boxes[w]],
        right=np.concatenate([answers for answers in right.values()]).astype(bool),
        on_gold=np.concatenate([[i < on_gold for i in range(len(answers))] for answers in right.values()]),
        answer_ms=np.concatenate([times[w] for w in right]).astype(float),
        addresses=ADDRESSES,
        funders=funders or {},
        pass_bar=0.7,
    )


def fired(assessment, worker: int) -> set[str]:
    return {s.name for s in assessment.signals[worker] if s.fired}


def test_people_pass_and_a_box_spammer_is_caught_on_gold_and_by_the_consensus():
    right = {
        0: [True] * 8 + [True, False] * 11,  # 8 of 8 gold, half the rest: a sloppy person
        1: [True] * 30,
        2: [False] * 8 + [True] + [False] * 21,  # random boxes: 0 of 8 gold, 1 of 22 others
    }
    assessment = assess_boxes(evidence(right, on_gold=8))
    assert fired(assessment, 0) == set() and fired(assessment, 1) == set()
    assert fired(assessment, 2) == {"gold_accuracy", "peer_agreement"}
    gold = next(s for s in assessment.signals[2] if s.name == "gold_accuracy")
    assert gold.threshold == 0.35  # (0 + pass bar) / 2


def test_copied_wrong_boxes_tie_a_pair_but_coinciding_empty_answers_do_not():
    # 30 images; on the last 8 all three are wrong: 0 and 1 with the same (copied) wrong box,
    # 2 with a box of its own, different on each image.
    wrong = [False] * 8
    right = {w: [True] * 22 + wrong for w in range(3)}
    copied = [[Box(1, 10 * i, 20, 50, 50)] for i in range(8)]
    own = [[Box(1, 300 + 7 * i, 200, 40, 60)] for i in range(8)]
    boxes = {0: [CAR] * 22 + copied, 1: [CAR] * 22 + copied, 2: [CAR] * 22 + own}
    assessment = assess_boxes(evidence(right, on_gold=0, boxes=boxes))
    assert fired(assessment, 0) == fired(assessment, 1) == {"pattern_similarity"}
    assert fired(assessment, 2) == set()
    assert assessment.clusters == [[0, 1]]
    similar = next(s for s in assessment.signals[0] if s.name == "pattern_similarity")
    assert similar.related == (ADDRESSES[1],) and "8 of the 8 images" in similar.reason

    # "Nothing here" is the one answer independent people repeat exactly: when every wrong answer
    # is empty, two workers missing the same images is what chance predicts.
    empty = {w: [CAR] * 22 + [[]] * 8 for w in range(3)}
    assert all(fired(assess_boxes(evidence(right, on_gold=0, boxes=empty)), w) == set() for w in range(3))


def test_script_timing_and_a_shared_funder_are_flagged_and_clustered():
    right = {w: [True] * 12 for w in range(3)}
    times = {0: [300.0] * 12, 1: np.linspace(2000, 9000, 12).tolist(), 2: np.linspace(3000, 7000, 12).tolist()}
    funder = "0x" + "ee" * 20
    assessment = assess_boxes(evidence(right, on_gold=2, times=times, funders={1: {"eth": funder}, 2: {"eth": funder}}))
    assert fired(assessment, 0) == {"too_fast", "too_regular"}
    assert fired(assessment, 1) == fired(assessment, 2) == {"common_funder"}
    assert assessment.clusters == [[1, 2]]
