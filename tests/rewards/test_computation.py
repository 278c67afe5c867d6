"""The pure settlement arithmetic: the reward formula, the budget cap and the truth packing."""

import json

import numpy as np

from apps.chain.merkle import Payout, build_payout_tree
from apps.rewards.computation import SettlementInput, compute_settlement, pack_truth
from apps.rewards.payouts import reward_amounts

A, B, C = ("0x" + f"{n:02x}" * 20 for n in (1, 2, 3))


def job_input(*, items, workers, labels, n_items, price=10, budget=1_000, gold=None) -> SettlementInput:
    return SettlementInput(
        job={"id": 1},
        n_items=n_items,
        n_classes=2,
        items=np.array(items, dtype=np.int64),
        workers=np.array(workers, dtype=np.int64),
        labels=np.array(labels, dtype=np.int64),
        worker_addresses=[A, B, C][: max(workers, default=-1) + 1],
        gold=gold or {},
        price=price,
        budget=budget,
        label_txs=["0x01"] * len(items),
    )


def test_pay_is_price_times_correct_labels_and_chance_level_earns_nothing():
    amounts = reward_amounts(
        given=np.array([10, 10, 10]), correct=np.array([9, 6, 5]), n_classes=2, price=7, budget=10**6
    )
    assert amounts == [63, 0, 0]  # 0.6 is not above 1/2 + 0.1


def test_over_budget_scales_down_pro_rata_never_above_the_budget():
    amounts = reward_amounts(given=np.array([3, 3]), correct=np.array([3, 2]), n_classes=2, price=10, budget=31)
    assert amounts == [18, 12] and sum(amounts) <= 31


def test_outcome_report_and_tree_agree():
    # Two items, three workers; C always disagrees and is scored against gold on item 1.
    data = job_input(
        items=[0, 0, 0, 1, 1, 1], workers=[0, 1, 2, 0, 1, 2], labels=[1, 1, 0, 0, 0, 1], n_items=2, gold={1: 0}
    )
    outcome = compute_settlement(data)
    assert outcome.truth == [1, 0]
    assert [w.amount for w in outcome.workers] == [20, 20, 0]
    assert [(p.index, p.account) for p in outcome.payouts] == [(0, A), (1, B)]
    assert outcome.root == build_payout_tree([Payout(0, A, 20), Payout(1, B, 20)]).root
    report = json.loads(outcome.report)
    assert report["truth"] == "10" and report["total"] == "40" and report["root"] == "0x" + outcome.root.hex()
    assert compute_settlement(data).report == outcome.report  # deterministic: same bytes, same CID


def test_a_job_without_labels_settles_to_an_empty_root():
    outcome = compute_settlement(job_input(items=[], workers=[], labels=[], n_items=3))
    assert outcome.total == 0 and outcome.payouts == [] and outcome.root == b"\x00" * 32


def test_truth_packs_64_items_per_word_low_nibble_first():
    truth = [(7 * i) % 16 for i in range(130)]
    words = pack_truth(truth)
    assert len(words) == 3
    assert all((words[i // 64] >> (4 * (i % 64))) & 15 == truth[i] for i in range(130))
