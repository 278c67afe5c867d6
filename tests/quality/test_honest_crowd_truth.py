"""A crowd whose every label is right gets those labels back as truth — and every worker is paid for
all of them — however the classes split between gold and other items and whoever happened to meet
the honeypots. Small jobs are where this broke: with gold all of one class and the rest of another,
the default's gold check compared priors fitted on the gold items themselves, and a worker who only
ever saw one true class looked like an always-that-class spammer (the scale-out test's flake)."""

from __future__ import annotations

import numpy as np
import pytest

from apps.quality.dawid_skene import spammers
from apps.quality.truth import infer_truth
from apps.rewards.computation import SettlementInput, compute_settlement

PRICE = 10


def honest_crowd(rng: np.random.Generator, split: str) -> dict:
    """A small job: 2–5 always-right workers, 1–3 labels per non-gold item, 0–4 honeypots each."""
    n_classes, n_items = int(rng.integers(2, 5)), int(rng.integers(10, 41))
    n_workers = int(rng.integers(2, 6))
    redundancy = int(rng.integers(1, min(n_workers, 3) + 1))
    gold_items = rng.choice(n_items, int(rng.integers(2, n_items // 2 + 1)), replace=False)
    is_gold = np.isin(np.arange(n_items), gold_items)
    truth = rng.integers(0, n_classes, n_items)
    if split == "gold one class, the rest another":
        truth[is_gold], truth[~is_gold] = 0, 1
    elif split == "gold one class":
        truth[is_gold] = 0
    elif split == "the rest one class":
        truth[~is_gold] = int(rng.integers(0, n_classes))
    records = [
        (item, worker)
        for item in np.flatnonzero(~is_gold)
        for worker in rng.choice(n_workers, redundancy, replace=False)
    ]
    for worker in range(n_workers):
        met = rng.choice(gold_items, int(rng.integers(0, min(4, gold_items.size) + 1)), replace=False)
        records += [(item, worker) for item in met]
    items = np.array([item for item, _ in records])
    return {
        "items": items,
        "workers": np.array([worker for _, worker in records]),
        "labels": truth[items],
        "n_items": n_items,
        "n_workers": n_workers,
        "n_classes": n_classes,
        "gold": {int(item): int(truth[item]) for item in gold_items},
    }


@pytest.mark.parametrize(
    "split", ["gold one class, the rest another", "gold one class", "the rest one class", "classes at random"]
)
def test_truth_of_an_always_right_crowd_is_its_labels(split):
    rng = np.random.default_rng(sum(map(ord, split)))
    for _ in range(500):
        crowd = honest_crowd(rng, split)
        truth = infer_truth(**crowd)
        given = truth.result.labels[crowd["items"]]
        assert np.array_equal(given, crowd["labels"]), (truth.method, crowd)


def test_every_always_right_worker_is_paid_for_every_label():
    # The scale-out test's job: gold all "positive", the rest all "negative", two labels per item,
    # and only one of the three workers met a honeypot (one).
    items = [1, 1, 3, 3, 5, 5, 7, 7, 9, 9, 11, 11, 12, 13, 13, 15, 15, 17, 17, 19, 19]
    workers = [1, 2, 1, 2, 0, 1, 1, 2, 1, 2, 1, 2, 2, 1, 2, 1, 2, 0, 2, 0, 1]
    gold = {i: 0 for i in range(0, 20, 2)}
    labels = [gold.get(item, 1) for item in items]
    outcome = compute_settlement(
        SettlementInput(
            job={"id": 1},
            n_items=20,
            n_classes=2,
            items=np.array(items),
            workers=np.array(workers),
            labels=np.array(labels),
            worker_addresses=[f"0x{n:040x}" for n in (10, 11, 12)],
            gold=gold,
            price=PRICE,
            budget=PRICE * len(items),
            label_txs=["0x01"],
        )
    )
    assert [(w.labels, w.correct, w.amount) for w in outcome.workers] == [
        (3, 3, 3 * PRICE),
        (9, 9, 9 * PRICE),
        (9, 9, 9 * PRICE),
    ]


def counts(given: list[int], true: list[int], n_classes: int) -> np.ndarray:
    """One worker's (given, true) count table."""
    table = np.zeros((1, n_classes, n_classes))
    np.add.at(table, (0, given, true), 1.0)
    return table


def test_one_class_answers_on_one_class_items_are_not_spam():
    # Nothing can tell a perfect worker from an always-"1" one on items that are all class 1.
    assert not spammers(counts([1] * 12, [1] * 12, 2), level=0.01, margin=0.05)[0]


def test_always_the_same_class_on_varied_items_is_still_spam():
    true = [0, 1, 2, 3] * 250
    assert spammers(counts([0] * 1000, true, 4), level=0.01, margin=0.05)[0]
    assert not spammers(counts(true, true, 4), level=0.01, margin=0.05)[0]
