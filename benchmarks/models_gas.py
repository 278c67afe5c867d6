"""Gas of the on-chain models and the Deposit-Refund-Take trainer, measured from receipts on a fresh
anvil, and the accuracy lost by publishing the demo digits job's model in fixed point.

    .venv/bin/python benchmarks/models_gas.py          # table
    .venv/bin/python benchmarks/models_gas.py --json   # one JSON object

Each figure is a receipt's gasUsed (21,000 base and calldata included), or eth_estimateGas for the
views. `deploy_*` is everything a model costs to exist: the factory's clone + initialise, the
parameter chunks, and the seal. The add-data figures use the paper's Table I case: a binary sparse
perceptron on 100 features and an input of 15 words (feature indexes), with a deposit in ETH.
`quantisation_loss_points` is the off-chain learner's held-out accuracy minus the on-chain model's,
on the demo job's 30 gold digits (the learner trained as it is on the demo: pixels+HOG features of
the 370 other items, here with their true labels, i.e. a perfect crowd).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crowdal_site.settings")

import django

django.setup()

import numpy as np
from django.conf import settings
from eth_account import Account
from eth_account.signers.local import LocalAccount
from web3 import Web3

from apps.chain import onchain_models as om
from apps.chain.client import send
from apps.chain.deploy import deploy_unrecorded
from apps.chain.local_chain import dev_private_keys, start_local_chain
from apps.learning.engine import train
from apps.learning.features import image_features
from apps.models.encoders import IMAGE_FEATURE_KIND
from apps.models.publishing import Quantisation, linear_model, measure_quantisation, publish_linear
from apps.runtime.demo import CLASS_NAMES, digit_png, digit_truth, gold_rows
from benchmarks.figures import print_figures

FEATURES = 100
WORDS = 15
BASE_DEPOSIT = 10**15  # 0.001 ETH
REFUND_WAIT = 3_600


def demo_digits_quantisation(*, w3: Web3, owner: LocalAccount) -> Quantisation:
    """The demo job's model published on `w3`: the demo's 400 digits and 30 gold (apps.runtime.demo),
    learner features, the learner's estimator trained by apps.learning.engine on the non-gold items
    with their true labels, scored on the gold off chain and on chain."""
    rows = list(range(400))
    gold = set(gold_rows(rows, 30))  # the demo's own choice of gold items
    pngs = [digit_png(row) for row in rows]
    X = image_features(pngs, kind=IMAGE_FEATURE_KIND)
    y = np.array([digit_truth(png) for png in pngs])
    train_rows = [r for r in rows if r not in gold]
    gold_items = sorted(gold)
    learner = train(X_labeled=X[train_rows], y_labeled=y[train_rows], classes=list(range(len(CLASS_NAMES))))
    linear = linear_model(estimator=learner.estimator, num_classes=len(CLASS_NAMES))
    published = publish_linear(w3=w3, owner=owner, linear=linear, class_names=CLASS_NAMES)
    measured = measure_quantisation(
        model=published.model, estimator=learner.estimator, X=X[gold_items], y=y[gold_items]
    )
    return Quantisation(**{**measured.__dict__, "deploy_gas": published.deploy_gas})


def _advance(w3: Web3, seconds: int) -> None:
    w3.provider.make_request("evm_increaseTime", [seconds])
    w3.provider.make_request("evm_mine", [])


def _deploy(w3, owner, *, kind, class_names, params, values, extra=None, trainer=None):
    created = om.create_model(w3=w3, owner=owner, kind=kind, class_names=class_names, params=params)
    sent = [created.sent, *om.load_values(model=created.contract, values=values, owner=owner)]
    if extra is not None:
        sent.append(send(extra(created.contract), sender=owner))
    if trainer is None:
        sent.append(om.seal(model=created.contract, owner=owner))
    return created.contract, sum(s.gas_used for s in sent)


def measure_trainer(w3, accounts) -> dict[str, int]:
    owner, alice, bob, mallory = accounts[:4]
    rng = np.random.default_rng(0)
    # A trained model: every weight non-zero, so every word of it is stored.
    weights = [int(w) for w in rng.integers(1, 5, FEATURES + 1) * om.SCALE * rng.choice([-1, 1], FEATURES + 1)]
    model, deploy_gas = _deploy(
        w3,
        owner,
        kind="perceptron",
        class_names=["negative", "positive"],
        trainer=True,
        params=om.perceptron_params(num_features=FEATURES, sparse=True, binary=True),
        values=weights,
    )
    trainer_created = om.create_trainer(
        w3=w3,
        creator=owner,
        model=model,
        params=om.trainer_params(
            refund_wait=REFUND_WAIT,
            creator_wait=7 * 86_400,
            anyone_wait=30 * 86_400,
            pricing=om.crowd_pricing(BASE_DEPOSIT),
        ),
    )
    trainer = trainer_created.contract
    seal = om.seal(model=model, owner=owner, trainer=trainer.address)
    deploy_gas += seal.gas_used

    def words_with(label: int) -> list[int]:
        while True:
            x = sorted(rng.choice(FEATURES, WORDS, replace=False).tolist())
            if om.predict(model=model, x=x) == label:
                return x

    _advance(w3, 60)
    om.add_data(trainer=trainer, x=words_with(1), label=1, sender=bob)  # the trainer's first write
    _advance(w3, 60)
    agree = om.add_data(trainer=trainer, x=words_with(1), label=1, sender=alice)
    _advance(w3, 60)
    update = om.add_data(trainer=trainer, x=words_with(0), label=1, sender=mallory)
    predict_gas = om.predict_gas(model=model, x=words_with(1))
    _advance(w3, 60)
    second = om.add_data(trainer=trainer, x=words_with(1), label=1, sender=alice)
    bad = []
    for _ in range(2):
        _advance(w3, 60)
        bad.append(om.add_data(trainer=trainer, x=words_with(0), label=1, sender=mallory, deposit=BASE_DEPOSIT * 2))
    _advance(w3, REFUND_WAIT)
    # Alice's first refund opens her good-data count (and the trainer's total); later ones update them.
    refund_first = om.refund(trainer=trainer, contribution=agree.contribution, sender=alice)
    refund = om.refund(trainer=trainer, contribution=second.contribution, sender=alice)
    # Mallory's point pushed the model its way; judged without its own update the model rejects it.
    # Alice's first take opens her word of taken-bits; her later takes in the same 256 ids update it.
    report_first = om.report(trainer=trainer, contribution=bad[0].contribution, sender=alice)
    report = om.report(trainer=trainer, contribution=bad[1].contribution, sender=alice)
    return {
        "deploy_perceptron_100": deploy_gas,
        "create_trainer": trainer_created.sent.gas_used,
        "add_data_agree": agree.sent.gas_used,
        "add_data_update": update.sent.gas_used,
        "refund": refund.gas_used,
        "refund_first": refund_first.gas_used,
        "report": report.gas_used,
        "report_first": report_first.gas_used,
        "predict_gas": predict_gas,
    }


def measure_models(w3, owner) -> dict[str, int]:
    rng = np.random.default_rng(1)
    classes = [str(d) for d in range(10)]
    figures = {}
    for features in (64, 400):
        centroids = om.quantise(rng.random((10, features)))
        model, gas = _deploy(
            w3,
            owner,
            kind="nearest-centroid",
            class_names=classes,
            params=om.centroid_params(num_features=features),
            values=centroids,
            extra=lambda m: m.functions.loadCounts([10] * 10),
        )
        figures[f"deploy_nearest_centroid_{features}"] = gas
        figures[f"predict_nearest_centroid_{features}"] = om.predict_gas(
            model=model, x=om.quantise(rng.random(features))
        )
        counts = [int(c) for c in rng.integers(1, 50, 10 * features)]
        totals = [sum(counts[c * features : (c + 1) * features]) for c in range(10)]
        model, gas = _deploy(
            w3,
            owner,
            kind="naive-bayes",
            class_names=classes,
            params=om.naive_bayes_params(num_features=features),
            values=counts,
            extra=lambda m, totals=totals: m.functions.loadTotals(totals, [100] * 10),
        )
        figures[f"deploy_naive_bayes_{features}"] = gas
        x = sorted(rng.choice(features, WORDS, replace=True).tolist())
        figures[f"predict_naive_bayes_{features}_15_words"] = om.predict_gas(model=model, x=x)
    return figures


def run() -> dict:
    accounts = [Account.from_key(key) for key in dev_private_keys(4)]
    with start_local_chain() as chain:
        w3 = Web3(Web3.HTTPProvider(chain.url))
        deployments = deploy_unrecorded(w3=w3, deployer=accounts[0])
        settings.CHAIN_CONTRACT_ADDRESSES = {"ModelFactory": deployments["ModelFactory"].address}
        figures: dict = measure_trainer(w3, accounts)
        figures |= measure_models(w3, accounts[0])
        quantisation = demo_digits_quantisation(w3=w3, owner=accounts[0])
    figures["quantisation_loss_points"] = quantisation.loss_points
    figures["digits_offchain_accuracy"] = quantisation.offchain_accuracy
    figures["digits_onchain_accuracy"] = quantisation.onchain_accuracy
    figures["deploy_digits_model"] = quantisation.deploy_gas
    figures["predict_digits_model"] = quantisation.predict_gas
    return figures


def main() -> None:
    print_figures(run, description=__doc__.splitlines()[0])


if __name__ == "__main__":
    main()
