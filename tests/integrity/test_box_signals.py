"""The box-job signals: chance is 0 (a random box set matches nothing), so the accuracy floor is
half the pass bar; timing and common funders work as for classes; people are not flagged."""
import numpy as np

from apps.integrity.signals import BoxEvidence, assess_boxes

ADDRESSES = [f"0x{n:040x}" for n in (1, 2, 3)]


def evidence(right: dict[int, list[bool]], *, on_gold: int, times: dict[int, list[float]], funders=None) -> BoxEvidence:
    """right[w]: worker w's answers in order, the first `on_gold` of them on gold images."""
    workers = np.concatenate([[w] * len(answers) for w, answers in right.items()])
    return BoxEvidence(
        workers=workers.astype(np.int64),
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
    rng = np.random.default_rng(0)
    human = lambda: rng.lognormal(np.log(5000), 0.6, 30).tolist()  # noqa: E731
    right = {
        0: [True] * 8 + [True, False] * 11,  # 8 of 8 gold, half the rest: a sloppy person
        1: [True] * 30,
        2: [False] * 8 + [True] + [False] * 21,  # random boxes: 0 of 8 gold, 1 of 22 others
    }
    assessment = assess_boxes(evidence(right, on_gold=8, times={w: human() for w in right}))
    assert fired(assessment, 0) == set() and fired(assessment, 1) == set()
    assert fired(assessment, 2) == {"gold_accuracy", "peer_agreement"}
    gold = next(s for s in assessment.signals[2] if s.name == "gold_accuracy")
    assert gold.threshold == 0.35  # (0 + pass bar) / 2


def test_script_timing_and_a_shared_funder_are_flagged_and_clustered():
    right = {w: [True] * 12 for w in range(3)}
    times = {0: [300.0] * 12, 1: np.linspace(2000, 9000, 12).tolist(), 2: np.linspace(3000, 7000, 12).tolist()}
    funder = "0x" + "ee" * 20
    assessment = assess_boxes(
        evidence(right, on_gold=2, times=times, funders={1: {"eth": funder}, 2: {"eth": funder}})
    )
    assert fired(assessment, 0) == {"too_fast", "too_regular"}
    assert fired(assessment, 1) == fired(assessment, 2) == {"common_funder"}
    assert assessment.clusters == [[1, 2]]
