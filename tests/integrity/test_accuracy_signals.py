"""Gold accuracy and peer agreement: a spammer fires both; an honest worker near the pass bar fires neither."""

from apps.integrity.signals import assess
from tests.integrity.crowds import N_CLASSES, N_ITEMS, evidence, fired, honest_crowd


def test_honest_workers_near_the_bar_are_not_flagged():
    assessment = assess(evidence(honest_crowd(accuracies=[0.9, 0.85, 0.7, 0.72, 0.8], seed=3)))
    for worker in range(5):
        assert not fired(assessment, worker) & {"gold_accuracy", "peer_agreement"}


def test_uniform_spammer_fires_gold_and_peer_signals():
    crowd = honest_crowd(accuracies=[0.9, 0.85, 0.8, 0.9, 0.75])
    crowd["answers"][4] = crowd["rng"].integers(N_CLASSES, size=N_ITEMS)
    assessment = assess(evidence(crowd))
    assert {"gold_accuracy", "peer_agreement"} <= fired(assessment, 4)
    (gold,) = [s for s in assessment.signals[4] if s.name == "gold_accuracy"]
    assert gold.score < gold.threshold and "gold answers right" in gold.reason
    assert not fired(assessment, 0)
