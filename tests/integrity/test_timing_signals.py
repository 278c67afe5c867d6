"""Answer-time signals: a script answering fast or on a fixed clock fires; people's varied times don't."""

import numpy as np

from apps.integrity.signals import assess
from tests.integrity.crowds import N_ITEMS, evidence, fired, honest_crowd

ACCURACIES = [0.9, 0.85, 0.8, 0.9, 0.75]


def test_people_fire_no_timing_signal():
    assessment = assess(evidence(honest_crowd(accuracies=ACCURACIES)))
    for worker in range(len(ACCURACIES)):
        assert not fired(assessment, worker) & {"too_fast", "too_regular"}


def test_fast_answers_fire_too_fast():
    crowd = honest_crowd(accuracies=ACCURACIES)
    crowd["times"][1] = crowd["rng"].lognormal(np.log(300), 0.6, size=N_ITEMS)
    assessment = assess(evidence(crowd))
    assert fired(assessment, 1) == {"too_fast"}
    (signal,) = [s for s in assessment.signals[1] if s.name == "too_fast"]
    assert signal.score < signal.threshold and "median answer time" in signal.reason


def test_clockwork_answers_fire_too_regular():
    crowd = honest_crowd(accuracies=ACCURACIES)
    crowd["times"][2] = crowd["rng"].uniform(1900, 2100, size=N_ITEMS)
    assert fired(assess(evidence(crowd)), 2) == {"too_regular"}


def test_untimed_answers_fire_nothing():
    crowd = honest_crowd(accuracies=ACCURACIES)
    crowd["times"][3] = np.full(N_ITEMS, np.nan)
    (signal,) = [s for s in assess(evidence(crowd)).signals[3] if s.name == "too_fast"]
    assert not signal.fired and "timed answers" in signal.reason
