"""Settlement benchmark: the off-chain half of settle_job on a large simulated job.

10,000 items × 5 labels from a pool of 200 workers (5 distinct workers per item; 170 honest with
accuracy ~U(0.7, 0.95), 30 uniform spammers), 10 classes, 100 gold items, one label transaction
per 20 labels. Timed: `apps.rewards.computation.compute_settlement`, the function settle_job calls —
truth inference (the default aggregation), each worker's accuracy, payouts, the canonical JSON
report and the payout Merkle tree with every proof. No database, no chain.

    python benchmarks/settlement.py [--json] [--items N] [--workers N] [--labels-per-item N] [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from apps.rewards.computation import SettlementInput, compute_settlement  # noqa: E402

N_CLASSES = 10
SPAMMER_SHARE = 0.15
N_GOLD = 100
LABELS_PER_TX = 20
TOKEN = 10**18


def simulated_job(
    *, n_items: int, n_workers: int, labels_per_item: int, seed: int = 0
) -> tuple[SettlementInput, np.ndarray]:
    rng = np.random.default_rng(seed)
    truth = rng.integers(N_CLASSES, size=n_items)
    accuracy = rng.uniform(0.7, 0.95, size=n_workers)
    spammers = rng.choice(n_workers, size=int(SPAMMER_SHARE * n_workers), replace=False)
    accuracy[spammers] = 1.0 / N_CLASSES
    items = np.repeat(np.arange(n_items), labels_per_item)
    # Distinct workers per item: a random permutation's first labels_per_item entries, vectorised.
    workers = np.argsort(rng.random((n_items, n_workers)), axis=1)[:, :labels_per_item].ravel()
    right = rng.random(items.size) < accuracy[workers]
    wrong = (truth[items] + rng.integers(1, N_CLASSES, size=items.size)) % N_CLASSES
    labels = np.where(right, truth[items], wrong)
    gold_items = rng.choice(n_items, size=N_GOLD, replace=False)
    n_txs = -(-items.size // LABELS_PER_TX)
    tx_hashes = [f"0x{rng.bytes(32).hex()}" for _ in range(n_txs)]
    data = SettlementInput(
        job={"id": 1, "chain_id": 31337, "instance": "0x" + "11" * 20, "onchain_id": 1},
        n_items=n_items,
        n_classes=N_CLASSES,
        items=items,
        workers=workers,
        labels=labels,
        worker_addresses=[f"0x{w + 1:040x}" for w in range(n_workers)],
        gold={int(i): int(truth[i]) for i in gold_items},
        price=TOKEN,
        budget=TOKEN * items.size,
        label_txs=[tx_hashes[k // LABELS_PER_TX] for k in range(items.size)],
    )
    return data, truth


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=200)
    parser.add_argument("--labels-per-item", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3, help="report the best of this many runs")
    args = parser.parse_args()

    data, truth = simulated_job(n_items=args.items, n_workers=args.workers, labels_per_item=args.labels_per_item)
    times = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        outcome = compute_settlement(data)
        times.append(time.perf_counter() - start)
    figures = {
        "items": args.items,
        "labels": int(data.items.size),
        "workers": args.workers,
        "seconds": round(min(times), 3),
    }
    if args.json:
        print(json.dumps(figures))
        return
    paid = [w for w in outcome.workers if w.amount > 0]
    print(
        f"{figures['items']:,} items × {args.labels_per_item} labels, {figures['workers']} workers: "
        f"best {figures['seconds']} s of {args.repeat} (all: {', '.join(f'{t:.3f}' for t in times)})"
    )
    print(
        f"method {outcome.inferred.method}; truth accuracy {np.mean(np.array(outcome.truth) == truth):.4f}; "
        f"{len(paid)} workers paid, total {outcome.total / TOKEN:,.0f} of {data.budget / TOKEN:,.0f} tokens; "
        f"report {len(outcome.report):,} bytes"
    )


if __name__ == "__main__":
    main()
