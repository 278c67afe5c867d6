"""Answer-pattern similarity: a copier (same mistakes as its source) fires and forms a cluster with
it; independent workers of equal accuracy, who agree a lot on right answers, do not."""

from apps.integrity.signals import assess
from tests.integrity.crowds import N_CLASSES, N_ITEMS, evidence, fired, honest_crowd


def test_independent_accurate_workers_are_not_similar():
    assessment = assess(evidence(honest_crowd(accuracies=[0.95, 0.95, 0.9, 0.9, 0.85, 0.8], seed=5)))
    assert assessment.clusters == []
    assert all("pattern_similarity" not in fired(assessment, w) for w in range(6))


def test_copier_with_noise_is_tied_to_its_source():
    crowd = honest_crowd(accuracies=[0.9, 0.85, 0.8, 0.75, 0.9, 0.85], seed=1)
    rng = crowd["rng"]
    source = crowd["answers"][3]
    noise = rng.random(N_ITEMS) < 0.1
    crowd["answers"][5] = source.copy()
    crowd["answers"][5][noise] = rng.integers(N_CLASSES, size=int(noise.sum()))
    assessment = assess(evidence(crowd))
    assert "pattern_similarity" in fired(assessment, 5) and "pattern_similarity" in fired(assessment, 3)
    (signal,) = [s for s in assessment.signals[5] if s.name == "pattern_similarity"]
    assert signal.related == ("0x" + f"{4:040x}",) and signal.related[0] in signal.reason
    assert assessment.clusters == [[3, 5]]
