"""Label efficiency of the active learner: labels needed to reach 95% of full-training-set accuracy.

Protocol (the anchors' one): scikit-learn's bundled digits, a stratified 70/30 train/test split per
seed, LogisticRegression for every run (random baseline included), 20 labels to start, 10 more per
round, up to BUDGET labels; the median over 20 seeds. Every run of one seed shares that seed's split,
and the random-start runs share their first 20 labels.

"Labels to 95%" is sustained: the labels at the first round from which test accuracy stays
>= 0.95 x full accuracy for every later round up to the budget (a run that dips below again has not
reached it yet). First crossings are reported beside it.

    .venv/bin/python benchmarks/al_efficiency.py          # table
    .venv/bin/python benchmarks/al_efficiency.py --json   # one JSON object
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from joblib import Parallel, delayed
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from apps.learning.engine import (  # noqa: E402
    ActiveLearningLoop,
    CurvePoint,
    evaluate,
    labels_to_reach,
    train,
)
from apps.learning.features import image_features  # noqa: E402
from apps.learning.strategies import DEFAULT_STRATEGY  # noqa: E402

TARGET_FRACTION = 0.95
INITIAL_LABELS = 20
BATCH = 10
BUDGET = 400


@dataclass(frozen=True)
class Run:
    strategy: str
    start: str  # "random" (the protocol's 20 random labels) or "cold_start" (the engine's)

    @property
    def name(self) -> str:
        return self.strategy if self.start == "random" else f"{self.strategy}+cold_start"


BASELINE = Run("random", "random")
DEFAULT = Run(DEFAULT_STRATEGY, "cold_start")
RUNS = (
    BASELINE,
    Run("least_confident", "random"),
    Run("margin", "random"),
    Run("entropy", "random"),
    Run("ranked_batch", "random"),
    Run("diverse_margin", "random"),
    Run("margin", "cold_start"),
    DEFAULT,
)


def run_seed(seed: int, *, budget: int) -> tuple[float, dict[str, list[CurvePoint]]]:
    """Full-data accuracy and every run's learning curve on this seed's split."""
    digits = load_digits()
    X = image_features(digits.images / 16.0, size=(8, 8))
    X_train, X_test, y_train, y_test = train_test_split(
        X, digits.target, test_size=0.3, random_state=seed, stratify=digits.target
    )
    classes = list(range(10))
    # One BLAS/OpenMP thread per process: the seeds already occupy the cores.
    with threadpool_limits(limits=1):
        full = evaluate(train(X_labeled=X_train, y_labeled=y_train, classes=classes), X_test, y_test)
        curves = {
            run.name: ActiveLearningLoop(
                X_pool=X_train,
                y_pool=y_train,
                X_holdout=X_test,
                y_holdout=y_test,
                classes=classes,
                strategy=run.strategy,
                start=run.start,
                initial_size=INITIAL_LABELS,
                batch_size=BATCH,
                random_state=seed,
            )
            .run(budget=budget)
            .curve
            for run in RUNS
        }
    return full, curves


def median_labels(values: list[int | None]) -> float | None:
    """Median with "never within the budget" counted as more than any number of labels."""
    median = float(np.median([np.inf if value is None else value for value in values]))
    return None if np.isinf(median) else median


def measure(*, seeds: int, budget: int, jobs: int) -> dict:
    started = time.perf_counter()
    results = Parallel(n_jobs=jobs)(delayed(run_seed)(seed, budget=budget) for seed in range(seeds))
    sustained: dict[str, list[int | None]] = {run.name: [] for run in RUNS}
    first: dict[str, list[int | None]] = {run.name: [] for run in RUNS}
    for full, curves in results:
        target = TARGET_FRACTION * full
        for name, curve in curves.items():
            sustained[name].append(labels_to_reach(curve, target=target))
            first[name].append(labels_to_reach(curve, target=target, sustained=False))
    return {
        "dataset": "sklearn load_digits (1797 8x8 images, 10 classes), pixels scaled to [0, 1]",
        "full_accuracy": round(float(np.median([full for full, _ in results])), 4),
        "labels_to_95_random": median_labels(sustained[BASELINE.name]),
        "labels_to_95_al": median_labels(sustained[DEFAULT.name]),
        "default_strategy": DEFAULT.name,
        "labels_to_95_by_strategy": {name: median_labels(values) for name, values in sustained.items()},
        "labels_to_95_first_crossing_by_strategy": {name: median_labels(values) for name, values in first.items()},
        "worst_seed_by_strategy": {
            name: (None if None in values else max(values)) for name, values in sustained.items()
        },
        "protocol": {
            "seeds": seeds,
            "split": "stratified 70/30 per seed",
            "model": "LogisticRegression(max_iter=1000) for every run",
            "initial_labels": INITIAL_LABELS,
            "labels_per_round": BATCH,
            "budget": budget,
            "labels_to_95": "median over seeds of the first round from which accuracy stays >= 0.95 x full",
        },
        "seconds": round(time.perf_counter() - started, 1),
    }


def print_table(report: dict) -> None:
    print(f"dataset: {report['dataset']}")
    print(f"full-data test accuracy (median): {report['full_accuracy']:.3f}")
    protocol = report["protocol"]
    print(
        f"{protocol['seeds']} seeds, {protocol['initial_labels']} labels to start, "
        f"+{protocol['labels_per_round']} per round, budget {protocol['budget']}\n"
    )
    random_labels = report["labels_to_95_random"]
    header = (
        f"{'strategy':28} {'labels to 95% (sustained)':>26} {'first crossing':>15} "
        f"{'worst seed':>11} {'labels saved':>13}"
    )
    print(header)
    print("-" * len(header))
    for name, labels in report["labels_to_95_by_strategy"].items():
        first = report["labels_to_95_first_crossing_by_strategy"][name]
        worst = report["worst_seed_by_strategy"][name]
        saving = "" if labels is None or random_labels is None else f"{1 - labels / random_labels:.0%}"
        marker = "  <- default" if name == report["default_strategy"] else ""
        print(f"{name:28} {_cell(labels):>26} {_cell(first):>15} {_cell(worst):>11} {saving:>13}{marker}")
    print(f"\n'-' = not reached within the budget. took {report['seconds']:.0f} s")


def _cell(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--budget", type=int, default=BUDGET)
    parser.add_argument("--jobs", type=int, default=2, help="processes (one seed each)")
    args = parser.parse_args()
    report = measure(seeds=args.seeds, budget=args.budget, jobs=args.jobs)
    if args.json:
        print(json.dumps(report))
    else:
        print_table(report)


if __name__ == "__main__":
    main()
