"""Each method gives the expected labels on small crowds built so that the answer is known."""

from __future__ import annotations

import numpy as np
import pytest

from apps.quality.aggregation import DEFAULT_METHOD, METHODS, aggregate
from tests.quality.crowds import accurate, always_first, panel, uniform_spammer


def test_majority_vote_counts_votes_and_breaks_ties_towards_the_lowest_class():
    # item 0: 2 votes for class 2, 1 for class 1; item 1: one vote each for classes 2 and 1.
    result = aggregate("majority", items=[0, 0, 0, 1, 1], workers=[0, 1, 2, 0, 1], labels=[2, 2, 1, 2, 1], n_classes=3)
    assert result.labels.tolist() == [2, 1]
    np.testing.assert_allclose(result.confidence, [2 / 3, 1 / 2])
    np.testing.assert_allclose(result.probabilities[0], [0, 1 / 3, 2 / 3])


def test_weighted_majority_lets_a_trusted_worker_outvote_two_others():
    records = {"items": [0, 0, 0], "workers": [0, 1, 2], "labels": [1, 0, 0], "n_classes": 2}
    assert aggregate("weighted_majority", **records).labels.tolist() == [0]
    weighted = aggregate("weighted_majority", worker_weights=[3.0, 1.0, 1.0], **records)
    assert weighted.labels.tolist() == [1]
    assert weighted.confidence[0] == pytest.approx(0.6)


def test_dawid_skene_overrules_two_agreeing_spammers_once_their_confusions_are_learned():
    crowd = panel(
        [accurate(0.95), accurate(0.95), accurate(0.95), uniform_spammer, uniform_spammer],
        n_items=400,
        n_classes=4,
        seed=1,
    )
    # One extra item that only one good worker and both spammers labelled, spammers agreeing.
    items = np.append(crowd.items, [400, 400, 400])
    workers = np.append(crowd.workers, [0, 3, 4])
    labels = np.append(crowd.labels, [1, 3, 3])
    records = {"items": items, "workers": workers, "labels": labels, "n_classes": 4}
    assert aggregate("majority", **records).labels[400] == 3
    for method in ("dawid_skene", "one_coin", DEFAULT_METHOD):
        result = aggregate(method, **records)
        assert result.labels[400] == 1, method
        assert np.all(result.worker_accuracy[:3] > 0.9)
        assert np.all(result.worker_accuracy[3:] < 0.4)


def test_dawid_skene_recovers_the_truth_where_majority_vote_fails():
    crowd = panel([accurate(0.9)] * 3 + [accurate(0.3)] * 2, n_items=600, n_classes=5, seed=2)
    accuracy = {
        method: np.mean(aggregate(method, **crowd.records()).labels == crowd.truth)
        for method in ("majority", "dawid_skene", DEFAULT_METHOD)
    }
    assert accuracy["dawid_skene"] > accuracy["majority"] + 0.01
    assert accuracy[DEFAULT_METHOD] >= accuracy["dawid_skene"] - 0.005


def test_gold_clamping_fixes_the_always_first_class_case():
    # A worker who always answers class 0 ties with the one good worker on every item: started from
    # the majority vote, plain EM settles on "(almost) everything is class 0" and rates it perfect.
    crowd = panel([accurate(0.9), always_first], n_items=300, n_classes=3, seed=3)
    gold = crowd.gold(np.arange(30))
    evaluated = slice(30, None)
    plain = aggregate("dawid_skene", gold=gold, **crowd.records())
    assert np.mean(plain.labels[evaluated] == crowd.truth[evaluated]) < 0.5
    for method in ("gold_dawid_skene", DEFAULT_METHOD):
        anchored = aggregate(method, gold=gold, **crowd.records())
        assert np.mean(anchored.labels[evaluated] == crowd.truth[evaluated]) > 0.85, method
        assert anchored.labels[list(gold)].tolist() == list(gold.values())
    # The full confusion learnt for the first-class worker says its answer carries no information.
    first_class = aggregate("gold_dawid_skene", gold=gold, **crowd.records()).confusion[1]
    np.testing.assert_allclose(first_class[:, 0], 1.0, atol=0.01)


def test_default_falls_back_on_gold_against_colluders():
    rng = np.random.default_rng(4)
    honest = panel([accurate(0.9)] * 3, n_items=600, n_classes=6, seed=4)
    # Three colluders: on a third of the items all give the same wrong class, elsewhere they are as
    # good as the honest workers — so they agree with each other more than the honest ones do.
    attacked = rng.random(600) < 1 / 3
    target = (honest.truth + rng.integers(1, 6, 600)) % 6
    colluders = [np.where(attacked, target, accurate(0.9)(rng, honest.truth, 6)) for _ in range(3)]
    records = {
        "items": np.concatenate([honest.items, np.tile(np.arange(600), 3)]),
        "workers": np.concatenate([honest.workers, np.repeat([3, 4, 5], 600)]),
        "labels": np.concatenate([honest.labels, *colluders]),
        "n_classes": 6,
    }
    gold = honest.gold(np.arange(40))
    evaluated = slice(40, None)

    def accuracy(method: str) -> float:
        labels = aggregate(method, gold=gold, **records).labels
        return float(np.mean(labels[evaluated] == honest.truth[evaluated]))

    assert accuracy("gold_dawid_skene") < 0.8
    assert accuracy(DEFAULT_METHOD) > 0.93


@pytest.mark.parametrize("method", sorted(METHODS))
def test_every_method_is_right_on_a_unanimous_crowd(method):
    result = aggregate(method, items=[0, 0, 1, 1], workers=[0, 1, 0, 1], labels=[2, 2, 0, 0], n_classes=3)
    assert result.labels.tolist() == [2, 0]
    assert np.all(result.confidence > 0.5)


def test_two_newcomers_who_split_leave_the_item_a_coin_flip():
    # Three workers agree on items 0-11 (one of them also labels item 22); two newcomers, one label
    # each, split on item 20; items 30-39 are gold nobody met. Each newcomer's only label must not
    # vouch for itself (EM alone made one of them "perfect" and the item 0.9999 sure), so the
    # item stays unsure and the learner asks for more labels.
    items = [*np.tile(np.arange(12), 3), 22, 20, 20]
    workers = [*np.repeat([0, 1, 2], 12), 0, 3, 4]
    labels = [*np.tile(np.arange(12) % 2, 3), 0, 0, 1]
    gold = {item: item % 2 for item in range(30, 40)}
    result = aggregate(DEFAULT_METHOD, items=items, workers=workers, labels=labels, n_classes=2, n_items=40, gold=gold)
    assert abs(result.confidence[20] - 0.5) < 0.1
    assert np.all(result.confidence[:12] > 0.99)
