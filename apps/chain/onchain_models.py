"""On-chain classifiers (contracts/src/models) and their Deposit-Refund-Take trainer: fixed-point
quantisation and word packing, creating a model as a ModelFactory clone, loading its parameters in
chunks under the block gas limit, predicting with eth_call, and the trainer's addData / refund /
report. Everything that sends or reads these contracts goes through here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from eth_abi import encode
from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.contract import Contract
from web3.exceptions import ContractCustomError, ContractLogicError
from web3.logs import DISCARD

from apps.chain.client import Sent, TransactionFailed, send, simulate
from apps.chain.registry import contract, contract_at

# Every feature and parameter is an int32 scaled by 1e6 (Classifier.SCALE), packed 8 to a word.
SCALE = 10**6
VALUES_PER_WORD = 8
INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1
# ~22,100 gas per fresh word: 400 words is about 9M gas, well under a 30M block.
WORDS_PER_CHUNK = 400

KINDS = {"perceptron": 0, "nearest-centroid": 1, "naive-bayes": 2}
CONTRACT_OF_KIND = {"perceptron": "Perceptron", "nearest-centroid": "NearestCentroid", "naive-bayes": "NaiveBayes"}


class ValueOutOfRange(ValueError):
    """A parameter does not fit an int32 in fixed point."""


def quantise(values: np.ndarray | Sequence[float]) -> list[int]:
    """Round to fixed point (x * 1e6); raises ValueOutOfRange beyond +-2147.48."""
    scaled = np.rint(np.asarray(values, dtype=np.float64) * SCALE)
    if scaled.size and (scaled.min() < INT32_MIN or scaled.max() > INT32_MAX):
        raise ValueOutOfRange(
            f"values span {scaled.min() / SCALE}..{scaled.max() / SCALE}; int32 fixed point holds +-2147.48"
        )
    return [int(v) for v in scaled.ravel()]


def pack_words(values: Sequence[int]) -> list[int]:
    """Value i goes into word i // 8 at bits 32 * (i % 8), as the contracts read it."""
    words = [0] * ((len(values) + VALUES_PER_WORD - 1) // VALUES_PER_WORD)
    for i, value in enumerate(values):
        if not INT32_MIN <= value <= INT32_MAX:
            raise ValueOutOfRange(f"value {i} = {value} does not fit an int32")
        words[i // VALUES_PER_WORD] |= (value & 0xFFFFFFFF) << (32 * (i % VALUES_PER_WORD))
    return words


def perceptron_params(*, num_features: int, sparse: bool, binary: bool, learning_rate: int = SCALE) -> bytes:
    return encode(["uint24", "bool", "bool", "int32"], [num_features, sparse, binary, learning_rate])


def centroid_params(*, num_features: int) -> bytes:
    return encode(["uint24"], [num_features])


def naive_bayes_params(*, num_features: int, smoothing: int = SCALE) -> bytes:
    return encode(["uint24", "uint256"], [num_features, smoothing])


@dataclass(frozen=True)
class DepositPricing:
    """deposit = base * clamp(sqrt(reference_interval / dt), 1, max_multiplier); 0 = unbounded."""

    base_deposit: int
    reference_interval: int
    max_multiplier: int


def crowd_pricing(base_deposit: int) -> DepositPricing:
    """The default: up to 2x the base when contributions arrive less than 4 s apart."""
    return DepositPricing(base_deposit=base_deposit, reference_interval=4, max_multiplier=2)


def paper_pricing(base_deposit: int) -> DepositPricing:
    """The paper's d = base * 3600 / sqrt(dt): 3,600x the base one second apart, ~12x a day apart."""
    return DepositPricing(base_deposit=base_deposit, reference_interval=3600**2, max_multiplier=0)


def points_pricing() -> DepositPricing:
    """Points mode: no deposit; refunds and reports only count good and bad data."""
    return DepositPricing(base_deposit=0, reference_interval=0, max_multiplier=0)


def trainer_params(*, refund_wait: int, creator_wait: int, anyone_wait: int, pricing: DepositPricing) -> bytes:
    return encode(
        ["uint64", "uint48", "uint48", "uint96", "uint64", "uint32"],
        [
            refund_wait,
            creator_wait,
            anyone_wait,
            pricing.base_deposit,
            pricing.reference_interval,
            pricing.max_multiplier,
        ],
    )


@dataclass(frozen=True)
class Created:
    contract: Contract
    sent: Sent


def _event(contract_: Contract, name: str, sent: Sent) -> dict:
    (log,) = getattr(contract_.events, name)().process_receipt(sent.receipt, errors=DISCARD)
    return dict(log["args"])


def model_handle(*, address: str, kind: str, w3: Web3 | None = None) -> Contract:
    return contract_at(CONTRACT_OF_KIND[kind], address, w3=w3)


def trainer_handle(*, address: str, w3: Web3 | None = None) -> Contract:
    return contract_at("CollaborativeTrainer", address, w3=w3)


def create_model(*, w3: Web3, owner: LocalAccount, kind: str, class_names: Sequence[str], params: bytes) -> Created:
    """A fresh clone of `kind`'s implementation owned by `owner` (who loads and seals it)."""
    factory = contract("ModelFactory", w3=w3)
    sent = send(factory.functions.createModel(KINDS[kind], list(class_names), params), sender=owner)
    address = _event(factory, "ModelCreated", sent)["model"]
    return Created(contract=model_handle(address=address, kind=kind, w3=w3), sent=sent)


def load_values(
    *, model: Contract, values: Sequence[int], owner: LocalAccount, words_per_chunk: int = WORDS_PER_CHUNK
) -> list[Sent]:
    """Write the packed values in chunks of `words_per_chunk` words, one transaction each; all-zero
    words are skipped (storage starts at zero), so a sparse model costs only its non-zero words."""
    words = pack_words(values)
    sent = []
    start = 0
    while start < len(words):
        while start < len(words) and words[start] == 0:
            start += 1
        end = start
        while end < len(words) and end - start < words_per_chunk and words[end] != 0:
            end += 1
        if end > start:
            sent.append(send(model.functions.loadWords(start, words[start:end]), sender=owner))
        start = end
    return sent


def seal(*, model: Contract, owner: LocalAccount, trainer: str | None = None) -> Sent:
    """Finish loading; only `trainer` (zero address: nobody) may train the model from now on."""
    return send(model.functions.seal(trainer or "0x" + "00" * 20), sender=owner)


def predict(*, model: Contract, x: Sequence[int]) -> int:
    """The model's class for the encoded input `x` (an eth_call: no gas, no signature)."""
    return model.functions.predict(list(x)).call()


def predict_gas(*, model: Contract, x: Sequence[int]) -> int:
    return model.functions.predict(list(x)).estimate_gas()


def create_trainer(*, w3: Web3, creator: LocalAccount, model: Contract, params: bytes) -> Created:
    factory = contract("ModelFactory", w3=w3)
    sent = send(factory.functions.createTrainer(model.address, params), sender=creator)
    address = _event(factory, "TrainerCreated", sent)["trainer"]
    return Created(contract=trainer_handle(address=address, w3=w3), sent=sent)


@dataclass(frozen=True)
class Contribution:
    """One DataAdded event: what refund and report must repeat."""

    id: int
    contributor: str
    label: int
    deposit: int
    predicted_at_add: int
    added_at: int
    x: tuple[int, ...]

    def as_argument(self) -> tuple:
        return (self.id, self.contributor, self.label, self.deposit, self.predicted_at_add, self.added_at)


def _contribution(args: dict) -> Contribution:
    return Contribution(
        id=args["id"],
        contributor=args["contributor"],
        label=args["label"],
        deposit=args["deposit"],
        predicted_at_add=args["predictedAtAdd"],
        added_at=args["addedAt"],
        x=tuple(args["x"]),
    )


@dataclass(frozen=True)
class Added:
    contribution: Contribution
    sent: Sent


# The trainer forwards gas to the model through two proxies (63/64 of what is left at each call);
# anvil's estimate has been seen to fall short on large multiclass updates, so allow a margin.
GAS_MARGIN = 1.25


def _send_with_margin(function, *, sender: LocalAccount, value: int = 0) -> Sent:
    return send(
        function, sender=sender, value=value, gas=_gas_with_margin(function, sender=sender.address, value=value)
    )


def add_data(
    *, trainer: Contract, x: Sequence[int], label: int, sender: LocalAccount, deposit: int | None = None
) -> Added:
    """Contribute (x, label) with `deposit` wei (default: what the trainer requires right now)."""
    value = trainer.functions.requiredDeposit().call() if deposit is None else deposit
    sent = _send_with_margin(trainer.functions.addData(list(x), label), sender=sender, value=value)
    return Added(contribution=_contribution(_event(trainer, "DataAdded", sent)), sent=sent)


def refund(*, trainer: Contract, contribution: Contribution, sender: LocalAccount) -> Sent:
    return _send_with_margin(trainer.functions.refund(contribution.as_argument(), list(contribution.x)), sender=sender)


def report(*, trainer: Contract, contribution: Contribution, sender: LocalAccount) -> Sent:
    return _send_with_margin(trainer.functions.report(contribution.as_argument(), list(contribution.x)), sender=sender)


def _gas_with_margin(function, *, sender: str, value: int = 0) -> int:
    """estimate_gas from `sender` times GAS_MARGIN; a revert raises TransactionFailed with its reason."""
    try:
        return int(function.estimate_gas({"from": sender, "value": value}) * GAS_MARGIN)
    except (ContractLogicError, ContractCustomError):
        simulate(function, sender=sender, value=value)  # raises TransactionFailed naming the error
        raise


def add_data_call(*, trainer: Contract, x: Sequence[int], label: int, sender: str) -> dict:
    """The addData transaction `sender`'s wallet sends: the deposit it must carry right now (wei) and
    a gas limit with a margin (wallets estimate without one, and anvil's estimate falls short here).
    Raises TransactionFailed when the trainer would refuse it (e.g. the model is not sealed to it)."""
    value = trainer.functions.requiredDeposit().call()
    function = trainer.functions.addData(list(x), label)
    return {
        "to": trainer.address,
        "data": trainer.encode_abi("addData", args=[list(x), label]),
        "value": value,
        "gas": _gas_with_margin(function, sender=sender, value=value),
    }


def settle_call(*, trainer: Contract, contribution: Contribution, action: str, sender: str) -> dict | None:
    """The `refund` or `report` transaction for `sender` when the trainer would accept it now (an
    eth_call from `sender` decides: wait, model verdict, good data, takes already made), else None."""
    args = [contribution.as_argument(), list(contribution.x)]
    try:
        gas = _gas_with_margin(getattr(trainer.functions, action)(*args), sender=sender)
    except TransactionFailed:
        return None
    return {"action": action, "to": trainer.address, "data": trainer.encode_abi(action, args=args), "gas": gas}


@dataclass(frozen=True)
class TrainerRules:
    refund_wait: int
    creator_wait: int
    anyone_wait: int
    creator: str


def trainer_rules(*, trainer: Contract) -> TrainerRules:
    f = trainer.functions
    return TrainerRules(
        refund_wait=f.refundWait().call(),
        creator_wait=f.creatorWait().call(),
        anyone_wait=f.anyoneWait().call(),
        creator=f.creator().call(),
    )


def contributions(*, trainer: Contract, from_block: int = 0) -> list[Contribution]:
    """Every DataAdded event of the trainer, oldest first (the data handler's record)."""
    logs = trainer.events.DataAdded().get_logs(from_block=from_block)
    return [_contribution(dict(log["args"])) for log in sorted(logs, key=lambda log: (log.blockNumber, log.logIndex))]
