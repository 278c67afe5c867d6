"""The paper's Fig. 3 experiment on our contracts: an honest agent and an adversary contribute to a
CollaborativeTrainer (Deposit, Refund and Take, crowd pricing, ETH deposits) on anvil, with time
advanced by evm_increaseTime; each agent refunds its own data when the model agrees and takes the
other's when it disagrees, whenever it may.

    .venv/bin/python benchmarks/incentives.py          # table of accuracy and balances over time
    .venv/bin/python benchmarks/incentives.py --json   # one JSON object

Data: scikit-learn's bundled digits, pixels >= 8 (of 16) as sparse feature indexes, 10 classes, a
multiclass sparse Perceptron. The model starts from scikit-learn's Perceptron fitted on 10 % of the
training half (its arg-max decision is the contract's), the rest arrives one point a minute from the
honest agent (true labels); the adversary submits about one sixth as often with a wrong label and
about twice the honest agent's total deposits (12x the required deposit each time). Balances are
token flows of the trainer (deposits out, refunds and takes in) in units of the base deposit, gas
excluded. `accuracy_honest_only` is a second clone of the same start, trained (by its own trainer
key, no deposits) on the honest agent's points alone, in the same order.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crowdal_site.settings")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from django.conf import settings  # noqa: E402
from eth_account import Account  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.linear_model import Perceptron  # noqa: E402
from web3 import Web3  # noqa: E402

from apps.chain import onchain_models as om  # noqa: E402
from apps.chain.client import TransactionFailed, send  # noqa: E402
from apps.chain.deploy import deploy_unrecorded  # noqa: E402
from apps.chain.local_chain import dev_private_keys, start_local_chain  # noqa: E402

BASE = 10**15
STEP = 60  # seconds between honest contributions
REFUND_WAIT = 30 * STEP
ADVERSARY_EVERY = 6
ADVERSARY_STAKE = 12  # x the required deposit
CHECKPOINTS = 8
CLASSES = [str(d) for d in range(10)]


def sparse(row: np.ndarray) -> list[int]:
    return [int(f) for f in np.flatnonzero(row >= 8)]


def accuracy(model, X, y) -> float:
    return float(np.mean([om.predict(model=model, x=sparse(row)) == label for row, label in zip(X, y)]))


def run(*, points: int) -> dict:
    digits = load_digits()
    X, y = digits.data, digits.target
    rng = np.random.default_rng(0)
    order = rng.permutation(len(y))
    train, test = order[: len(y) // 2], order[len(y) // 2 :][:300]
    start, stream = train[: len(train) // 10], train[len(train) // 10 :][:points]
    fitted = Perceptron(random_state=0).fit((X[start] >= 8).astype(float), y[start])
    values = om.quantise(np.hstack([fitted.coef_, fitted.intercept_[:, None]]))
    owner, honest, adversary, key_trainer = (Account.from_key(k) for k in dev_private_keys(4))
    with start_local_chain() as chain:
        w3 = Web3(Web3.HTTPProvider(chain.url))
        settings.CHAIN_CONTRACT_ADDRESSES = {
            "ModelFactory": deploy_unrecorded(w3=w3, deployer=owner)["ModelFactory"].address
        }
        # A step a tenth of the fitted weights' unit: one point nudges the start model, it does not overturn it.
        params = om.perceptron_params(num_features=64, sparse=True, binary=False, learning_rate=om.SCALE // 10)

        def fresh_model():
            created = om.create_model(w3=w3, owner=owner, kind="perceptron", class_names=CLASSES, params=params)
            om.load_values(model=created.contract, values=values, owner=owner)
            return created.contract

        model, honest_only = fresh_model(), fresh_model()
        trainer = om.create_trainer(
            w3=w3,
            creator=owner,
            model=model,
            params=om.trainer_params(
                refund_wait=REFUND_WAIT,
                creator_wait=100 * REFUND_WAIT,
                anyone_wait=100 * REFUND_WAIT,
                pricing=om.crowd_pricing(BASE),
            ),
        ).contract
        om.seal(model=model, owner=owner, trainer=trainer.address)
        om.seal(model=honest_only, owner=owner, trainer=key_trainer.address)
        flows = {honest.address: 0, adversary.address: 0}
        pending: list[om.Contribution] = []
        start_accuracy = accuracy(model, X[test], y[test])
        curve = []

        def settle(now: int) -> None:
            """Each agent refunds its own ripe data the model agrees with and takes the other's."""
            for c in list(pending):
                if now < c.added_at + REFUND_WAIT:
                    continue
                agrees = model.functions.predictWithout(list(c.x), c.label, c.predicted_at_add).call() == c.label
                me = honest if c.contributor == honest.address else adversary
                other = adversary if me is honest else honest
                try:
                    if agrees:
                        om.refund(trainer=trainer, contribution=c, sender=me)
                        flows[me.address] += c.deposit
                        pending.remove(c)
                    elif trainer.functions.goodData(other.address).call():
                        before = trainer.functions.remainingDeposit(c.id).call()
                        om.report(trainer=trainer, contribution=c, sender=other)
                        left = trainer.functions.remainingDeposit(c.id).call()
                        flows[other.address] += before - left
                        if left == 0:
                            pending.remove(c)
                except TransactionFailed:
                    pass  # e.g. already taken by this reporter: the rest waits for the creator

        for step, row in enumerate(stream):
            w3.provider.make_request("evm_increaseTime", [STEP])
            w3.provider.make_request("evm_mine", [])
            added = om.add_data(trainer=trainer, x=sparse(X[row]), label=int(y[row]), sender=honest)
            flows[honest.address] -= added.contribution.deposit
            pending.append(added.contribution)
            send(honest_only.functions.update(sparse(X[row]), int(y[row])), sender=key_trainer)
            if step % ADVERSARY_EVERY == 0:
                wrong = int((y[row] + 1 + rng.integers(9)) % 10)
                stake = ADVERSARY_STAKE * trainer.functions.requiredDeposit().call()
                bad = om.add_data(trainer=trainer, x=sparse(X[row]), label=wrong, sender=adversary, deposit=stake)
                flows[adversary.address] -= bad.contribution.deposit
                pending.append(bad.contribution)
            settle(w3.eth.get_block("latest")["timestamp"])
            if (step + 1) % max(1, len(stream) // CHECKPOINTS) == 0:
                curve.append(
                    {
                        "step": step + 1,
                        "accuracy": accuracy(model, X[test], y[test]),
                        "honest": flows[honest.address] / BASE,
                        "adversary": flows[adversary.address] / BASE,
                    }
                )
        w3.provider.make_request("evm_increaseTime", [REFUND_WAIT])
        w3.provider.make_request("evm_mine", [])
        settle(w3.eth.get_block("latest")["timestamp"])
        return {
            "honest_balance_change": round(flows[honest.address] / BASE, 3),
            "adversary_balance_change": round(flows[adversary.address] / BASE, 3),
            "accuracy_start": start_accuracy,
            "accuracy_end": accuracy(model, X[test], y[test]),
            "accuracy_honest_only": accuracy(honest_only, X[test], y[test]),
            "honest_points": len(stream),
            "adversary_points": (len(stream) + ADVERSARY_EVERY - 1) // ADVERSARY_EVERY,
            "unsettled_contributions": len(pending),
            "curve": curve,
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    parser.add_argument("--points", type=int, default=200, help="honest contributions (default 200)")
    options = parser.parse_args()
    figures = run(points=options.points)
    if options.json:
        print(json.dumps(figures))
        return
    print(f"{'step':>6}  {'accuracy':>8}  {'honest (base deposits)':>22}  {'adversary':>10}")
    for point in figures["curve"]:
        print(f"{point['step']:>6}  {point['accuracy']:>8.4f}  {point['honest']:>22.3f}  {point['adversary']:>10.3f}")
    for name, value in figures.items():
        if name != "curve":
            print(f"{name}: {value}")


if __name__ == "__main__":
    main()
