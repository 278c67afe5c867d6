"""From a scikit-learn model to an on-chain one, and what the conversion costs in accuracy.

The learner's estimator (LogisticRegression by default) is linear: it predicts the arg-max of
coef . x + intercept, which is exactly Perceptron's multiclass decision (binary: one vector, class 1
when positive). Publishing therefore quantises its weights to fixed point (x 1e6) instead of
distilling into another model; the only loss is rounding, measured on the job's held-out gold."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.contract import Contract

from apps.chain import onchain_models as om


class NotPublishable(ValueError):
    """The estimator cannot be written as one of the on-chain models."""


@dataclass(frozen=True)
class LinearModel:
    values: list[int]  # row-major vectors, bias last, in fixed point
    num_features: int
    binary: bool


def linear_model(*, estimator, num_classes: int) -> LinearModel:
    coef = getattr(estimator, "coef_", None)
    intercept = getattr(estimator, "intercept_", None)
    if coef is None or intercept is None:
        raise NotPublishable(f"{type(estimator).__name__} is not a linear model (no coef_/intercept_)")
    classes = list(getattr(estimator, "classes_", range(num_classes)))
    if classes != list(range(num_classes)):
        raise NotPublishable(f"the model knows classes {classes}; it must know all {num_classes} to be published")
    coef = np.atleast_2d(np.asarray(coef, dtype=np.float64))
    try:
        values = om.quantise(np.hstack([coef, np.asarray(intercept, dtype=np.float64).reshape(-1, 1)]))
    except om.ValueOutOfRange as error:
        raise NotPublishable(str(error)) from error
    return LinearModel(values=values, num_features=coef.shape[1], binary=coef.shape[0] == 1)


@dataclass(frozen=True)
class Published:
    model: Contract
    deploy_gas: int
    transactions: int
    num_features: int


def publish_linear(*, w3: Web3, owner: LocalAccount, linear: LinearModel, class_names: Sequence[str]) -> Published:
    """Clone a Perceptron, load the weights in chunks and seal it with no trainer (read-only)."""
    created = om.create_model(
        w3=w3,
        owner=owner,
        kind="perceptron",
        class_names=class_names,
        params=om.perceptron_params(num_features=linear.num_features, sparse=False, binary=linear.binary),
    )
    sent = [created.sent, *om.load_values(model=created.contract, values=linear.values, owner=owner)]
    sent.append(om.seal(model=created.contract, owner=owner))
    return Published(
        model=created.contract,
        deploy_gas=sum(s.gas_used for s in sent),
        transactions=len(sent),
        num_features=linear.num_features,
    )


@dataclass(frozen=True)
class Quantisation:
    offchain_accuracy: float
    onchain_accuracy: float
    loss_points: float  # percentage points: off-chain minus on-chain accuracy
    items: int
    deploy_gas: int = 0
    predict_gas: int = 0


def measure_quantisation(*, model: Contract, estimator, X: np.ndarray, y: Sequence[int]) -> Quantisation:
    """Accuracy of the float estimator and of the contract (eth_call on the quantised rows) on X, y."""
    y = np.asarray(y)
    offchain = float(np.mean(estimator.predict(X) == y))
    onchain = float(np.mean([om.predict(model=model, x=om.quantise(row)) == label for row, label in zip(X, y)]))
    return Quantisation(
        offchain_accuracy=offchain,
        onchain_accuracy=onchain,
        loss_points=round(100 * (offchain - onchain), 4),
        items=len(y),
        predict_gas=om.predict_gas(model=model, x=om.quantise(X[0])),
    )
