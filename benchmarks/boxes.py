"""Box consolidation and scoring on a simulated crowd: how close the consensus comes to the true
boxes, and whether box settlement pays careful workers and not spammers.

    .venv/bin/python benchmarks/boxes.py          # table
    .venv/bin/python benchmarks/boxes.py --json   # one JSON object

500 images of 640x480 with 0-4 true boxes of 3 classes (sides 20-200 px); 5 workers per image:
3 careful (each corner jittered by N(0, 3 px), a box missed with p = 0.1, a spurious box with
p = 0.1), 1 sloppy (jitter 12 px, misses 0.3), 1 spammer (1-3 random boxes). `consensus_score` is
the mean score_boxes_against_gold(consensus, truth) over images (1 = exact),
`single_careful_worker_score` the same for one careful worker alone, as a reference. `flagged`:
each worker's fired integrity signals (assess_boxes) with the first 50 images as gold, answer times
drawn like people's (lognormal around 5 s) and a sixth wallet, "copier", that submits careful1's
answers: false alarms, the spammer's catch and the copy ring's.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crowdal_site.settings")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402

from apps.boxes.geometry import MATCH_IOU, Box, canonical_boxes, score_boxes_against_gold  # noqa: E402
from apps.boxes.screening import BoxEvidence, assess_boxes  # noqa: E402
from apps.boxes.settlement import BoxSettlementInput, compute_box_settlement, score_answers  # noqa: E402

IMAGES, WIDTH, HEIGHT, CLASSES = 500, 640, 480, 3
GOLD_IMAGES = 50
WORKERS = {"careful1": (3, 0.1, 0.1), "careful2": (3, 0.1, 0.1), "careful3": (3, 0.1, 0.1), "sloppy": (12, 0.3, 0.1)}
SPAMMER = "spammer"


def random_box(rng) -> Box:
    w, h = rng.uniform(20, 200, size=2)
    return Box(int(rng.integers(CLASSES)), rng.uniform(0, WIDTH - w), rng.uniform(0, HEIGHT - h), w, h)


def clamp(box: Box) -> Box:
    x, y = max(0.0, box.x), max(0.0, box.y)
    w, h = min(box.x + box.w, WIDTH) - x, min(box.y + box.h, HEIGHT) - y
    return Box(box.cls, x, y, max(w, 1.0), max(h, 1.0))


def draw(rng, truth: list[Box], jitter: float, miss: float, spurious: float) -> list[Box]:
    boxes = []
    for box in truth:
        if rng.random() < miss:
            continue
        x0, y0, x1, y1 = np.array([box.x, box.y, box.x + box.w, box.y + box.h]) + rng.normal(0, jitter, 4)
        boxes.append(clamp(Box(box.cls, x0, y0, x1 - x0, y1 - y0)))
    if rng.random() < spurious:
        boxes.append(random_box(rng))
    return canonical_boxes(boxes)


def screen(rng, answers: dict, truth: dict, names: list[str]) -> dict[str, list[str]]:
    """Whom assess_boxes flags in this crowd plus a copier: a sixth wallet submitting careful1's
    answers as its own (a sybil earning twice for one person's work)."""
    names = [*names, "copier"]
    answers = {i: {**by_worker, f"0x{len(names):040x}": by_worker[f"0x{1:040x}"]} for i, by_worker in answers.items()}
    gold = {i: truth[i] for i in range(GOLD_IMAGES)}
    data = BoxSettlementInput(
        job={"id": 0}, n_items=IMAGES, answers=answers, gold=gold, price=1, budget=1, label_txs=[]
    )
    records = [
        (item, address, score)
        for item, by_worker in score_answers(data).scores.items()
        for address, score in by_worker.items()
    ]
    addresses = [f"0x{n + 1:040x}" for n in range(len(names))]
    assessment = assess_boxes(
        BoxEvidence(
            items=np.array([item for item, *_ in records]),
            workers=np.array([addresses.index(address) for _, address, _ in records]),
            boxes=[answers[item][address] for item, address, _ in records],
            right=np.array([score >= MATCH_IOU for *_, score in records]),
            on_gold=np.array([item in gold for item, *_ in records]),
            answer_ms=rng.lognormal(np.log(5000), 0.6, len(records)),
            addresses=addresses,
        )
    )
    return {name: [s.name for s in assessment.signals[w] if s.fired] for w, name in enumerate(names)}


def run(seed: int = 7) -> dict:
    rng = np.random.default_rng(seed)
    truth = {i: [random_box(rng) for _ in range(int(rng.integers(0, 5)))] for i in range(IMAGES)}
    answers = {}
    for i, boxes in truth.items():
        answers[i] = {f"0x{n + 1:040x}": draw(rng, boxes, *params) for n, params in enumerate(WORKERS.values())}
        answers[i][f"0x{len(WORKERS) + 1:040x}"] = canonical_boxes(
            random_box(rng) for _ in range(int(rng.integers(1, 4)))
        )
    started = time.perf_counter()
    outcome = compute_box_settlement(
        BoxSettlementInput(job={"id": 0}, n_items=IMAGES, answers=answers, gold={}, price=1, budget=10**9, label_txs=[])
    )
    elapsed = time.perf_counter() - started
    consensus = [score_boxes_against_gold([c.box for c in outcome.consensus[i]], truth[i]) for i in range(IMAGES)]
    names = [*WORKERS, SPAMMER]
    by_worker = {names[int(w.address, 16) - 1]: w for w in outcome.workers}
    single = [score_boxes_against_gold(answers[i][f"0x{1:040x}"], truth[i]) for i in range(IMAGES)]
    return {
        "flagged": screen(rng, answers, truth, names),
        "consensus_score": round(float(np.mean(consensus)), 4),
        "single_careful_worker_score": round(float(np.mean(single)), 4),
        "accuracy": {name: round(by_worker[name].accuracy, 4) for name in names},
        "paid": {name: by_worker[name].amount for name in names},
        "settlement_seconds": round(elapsed, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    figures = run()
    if parser.parse_args().json:
        print(json.dumps(figures))
        return
    print(f"consensus score vs truth      {figures['consensus_score']:.4f}")
    print(f"one careful worker vs truth   {figures['single_careful_worker_score']:.4f}")
    for name, accuracy in figures["accuracy"].items():
        print(f"{name:<10} accuracy {accuracy:.4f}  paid {figures['paid'][name]}")
    print(f"settlement of {IMAGES} images  {figures['settlement_seconds']:.3f} s")
    for name, signals in figures["flagged"].items():
        print(f"{name:<10} flagged by {', '.join(signals) or 'nothing'}")


if __name__ == "__main__":
    main()
