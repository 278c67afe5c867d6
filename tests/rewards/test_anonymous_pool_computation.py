"""Settlement arithmetic with anonymous labels: each is its own voter, each correct one earns the
price (scaled with everyone else's pay when the budget is short), and their sum is one payout leaf
for the AnonymousRewards contract, exactly reward_per_label times the correct labels."""

import json

import numpy as np

from apps.rewards.computation import SettlementInput, compute_settlement

A, B, POOL = ("0x" + f"{n:02x}" * 20 for n in (1, 2, 0xAA))


def anonymous_input(*, budget: int) -> SettlementInput:
    # Items 0 and 1; wallets A (0) and B (1) vote 1 then 0; anonymous voters 2, 3, 4 vote 1, 0 (on
    # item 0) and 0 (on item 1): truth [1, 0] makes nullifiers "30" and "50" correct, "40" wrong.
    return SettlementInput(
        job={"id": 1},
        n_items=2,
        n_classes=2,
        items=np.array([0, 0, 1, 1, 0, 0, 1]),
        workers=np.array([0, 1, 0, 1, 2, 3, 4]),
        labels=np.array([1, 1, 0, 0, 1, 0, 0]),
        worker_addresses=[A, B],
        gold={},
        price=10,
        budget=budget,
        label_txs=["0x01"] * 7,
        anonymous_nullifiers=["50", "40", "30"],
        anonymous_pool_account=POOL,
    )


def test_correct_anonymous_labels_fund_one_pool_leaf():
    outcome = compute_settlement(anonymous_input(budget=1_000))
    assert outcome.truth == [1, 0]
    assert [w.amount for w in outcome.workers] == [20, 20]
    pool = outcome.anonymous
    assert (pool.correct_nullifiers, pool.reward_per_label, pool.amount, pool.labels) == (["30", "50"], 10, 20, 3)
    assert {(p.account, p.amount) for p in outcome.payouts} == {(A, 20), (B, 20), (POOL, 20)}
    report = json.loads(outcome.report)["anonymous"]
    assert report["correct_nullifiers"] == ["30", "50"] and report["amount"] == "20"
    assert report["leaf_index"] == next(p.index for p in outcome.payouts if p.account == POOL)


def test_a_short_budget_scales_the_pool_per_label():
    outcome = compute_settlement(anonymous_input(budget=45))  # 60 owed
    pool = outcome.anonymous
    assert pool.reward_per_label == 7 and pool.amount == 14  # floor(10 * 45 / 60) per correct label
    assert [w.amount for w in outcome.workers] == [15, 15]
    assert outcome.total <= 45


def test_a_job_without_anonymous_labels_has_no_pool():
    data = anonymous_input(budget=1_000)
    plain = SettlementInput(**{**data.__dict__, "items": data.items[:4], "workers": data.workers[:4],
                               "labels": data.labels[:4], "label_txs": data.label_txs[:4],
                               "anonymous_nullifiers": (), "anonymous_pool_account": ""})  # fmt: skip
    outcome = compute_settlement(plain)
    assert outcome.anonymous is None and "anonymous" not in json.loads(outcome.report)
