"""Box settlement arithmetic: consensus as the reference, gold on gold images, pay by the share of
images scored at IoU >= 0.5, spammers unpaid, the report carrying every consensus box."""

import json

from apps.boxes.geometry import Box
from apps.boxes.settlement import BoxSettlementInput, compute_box_settlement

CAR, PERSON = 0, 1
A, B, C, SPAM = ("0x" + digit * 40 for digit in "abcd")
PRICE = 10


def settle(answers, gold=None, budget=10_000, weights=None):
    return compute_box_settlement(
        BoxSettlementInput(
            job={"id": 1},
            n_items=4,
            answers=answers,
            gold=gold or {},
            price=PRICE,
            budget=budget,
            label_txs=["0x1"],
            weights=weights,
        )
    )


def crowd():
    truth0 = [Box(CAR, 10, 10, 100, 50), Box(PERSON, 200, 100, 30, 80)]
    truth1 = [Box(PERSON, 50, 50, 40, 90)]
    return {
        0: {
            A: truth0,
            B: [Box(CAR, 12, 11, 98, 50), Box(PERSON, 201, 99, 30, 82)],
            C: [Box(CAR, 9, 10, 100, 52)],  # missed the person
            SPAM: [Box(CAR, 400, 300, 10, 10)],
        },
        1: {A: truth1, B: [Box(PERSON, 52, 49, 40, 90)], C: truth1, SPAM: [Box(PERSON, 0, 0, 5, 5)]},
        2: {A: [], B: [], SPAM: [Box(CAR, 1, 1, 5, 5)]},
    }


def test_consensus_and_pay():
    outcome = settle(crowd())
    consensus = outcome.consensus[0]
    assert [c.box.cls for c in consensus] == [CAR, PERSON]
    assert [c.confidence for c in consensus] == [0.75, 0.5]  # 3 of 4 drew the car, 2 of 4 the person
    assert abs(consensus[0].box.x - (10 + 12 + 9) / 3) < 0.01
    assert outcome.consensus[2] == []  # one spammer's box is not a consensus
    assert outcome.truth == [2, 1, 0, 0]  # box counts, as posted on chain
    workers = {w.address: w for w in outcome.workers}
    assert (workers[A].labels, workers[A].correct) == (3, 3)
    assert (workers[C].labels, workers[C].correct) == (2, 1)  # its car-only answer scores below 0.5 on item 0
    assert workers[SPAM].correct == 0 and workers[SPAM].amount == 0
    assert workers[A].amount == 3 * PRICE and workers[C].amount == PRICE
    assert outcome.total == sum(w.amount for w in outcome.workers)
    assert outcome.mean_iou[A] > 0.9 > outcome.mean_iou[C] > 0.5 > outcome.mean_iou[SPAM]


def test_gold_images_score_against_gold():
    answers = {3: {A: [Box(CAR, 0, 0, 10, 10)], B: [Box(CAR, 0, 0, 10, 10)], C: [Box(CAR, 50, 50, 10, 10)]}}
    outcome = settle(answers, gold={3: [Box(CAR, 50, 50, 10, 10)]})
    workers = {w.address: w for w in outcome.workers}
    assert workers[C].correct == 1 and workers[A].correct == workers[B].correct == 0  # the majority was wrong
    assert outcome.truth[3] == 1


def test_weights_move_the_consensus():
    answers = {0: {A: [Box(CAR, 0, 0, 10, 10)], B: [], C: []}}
    assert settle(answers).consensus[0] == []
    weighted = settle(answers, weights={A: 3.0, B: 1.0, C: 1.0})
    assert [c.confidence for c in weighted.consensus[0]] == [0.6]


def test_budget_scales_pay_down_and_report_is_canonical():
    outcome = settle(crowd(), budget=25)
    assert outcome.total <= 25
    report = json.loads(outcome.report)
    assert report["method"] == "box-consensus-iou" and report["truth"] == "2100"
    assert report["consensus"]["0"][0] == {
        "class": CAR,
        "x": round((10 + 12 + 9) / 3, 2),
        "y": round(31 / 3, 2),
        "w": round(298 / 3, 2),
        "h": round(152 / 3, 2),
        "confidence": 0.75,
        "workers": 3,
    }
    assert settle(crowd(), budget=25).report == outcome.report  # same bytes, same content id
