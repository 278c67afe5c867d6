"""The three on-chain classifiers on anvil: predictions equal the fixed-point arithmetic of the
scikit-learn models they were quantised from, chunked loading, training and access control."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import MultinomialNB
from web3 import Web3

from apps.chain import onchain_models as om
from apps.chain.client import TransactionFailed, send

DIGIT_CLASSES = [str(d) for d in range(10)]


@pytest.fixture(scope="module")
def digits():
    data = load_digits()
    return data.data / 16.0, data.target


def linear_values(coef: np.ndarray, intercept: np.ndarray) -> list[int]:
    """Row-major vectors with the bias last, as Perceptron lays them out."""
    return om.quantise(np.hstack([coef, intercept[:, None]]))


def test_dense_perceptron_predicts_like_the_quantised_logistic_regression(make_model, digits):
    X, y = digits
    lr = LogisticRegression(max_iter=500).fit(X[:1000], y[:1000])
    model = make_model(
        kind="perceptron",
        class_names=DIGIT_CLASSES,
        values=linear_values(lr.coef_, lr.intercept_),
        params=om.perceptron_params(num_features=64, sparse=False, binary=False),
    )
    W = np.array(linear_values(lr.coef_, lr.intercept_), dtype=object).reshape(10, 65)
    for row in range(1000, 1040):
        x = om.quantise(X[row])
        fixed_point = [sum(int(w) * v for w, v in zip(W[c, :64], x)) + int(W[c, 64]) * om.SCALE for c in range(10)]
        assert om.predict(model=model, x=x) == int(np.argmax(fixed_point))
    agreement = np.mean(
        [om.predict(model=model, x=om.quantise(X[r])) == lr.predict(X[r : r + 1])[0] for r in range(1000, 1040)]
    )
    assert agreement >= 0.97


def test_a_400_feature_model_loads_in_chunks_under_the_block_gas_limit(w3, roles, make_model):
    rng = np.random.default_rng(7)
    centroids = rng.random((10, 400))
    created = om.create_model(
        w3=w3,
        owner=roles.oracle,
        kind="nearest-centroid",
        class_names=DIGIT_CLASSES,
        params=om.centroid_params(num_features=400),
    )
    model = created.contract
    chunks = om.load_values(model=model, values=om.quantise(centroids), owner=roles.oracle, words_per_chunk=200)
    send(model.functions.loadCounts([1] * 10), sender=roles.oracle)
    om.seal(model=model, owner=roles.oracle)
    block_limit = w3.eth.get_block("latest")["gasLimit"]
    assert len(chunks) == 3  # 4,000 values = 500 words
    assert all(sent.gas_used < block_limit for sent in chunks)
    assert sum(sent.gas_used for sent in chunks) > block_limit // 4  # it would not have been cheap in one
    for c in (0, 3, 9):
        x = centroids[c] + rng.normal(0, 0.05, 400)
        assert om.predict(model=model, x=om.quantise(np.clip(x, 0, 1))) == c
    assert model.functions.valueAt(3 * 400 + 17).call() == om.quantise([centroids[3, 17]])[0]


def test_naive_bayes_predicts_like_multinomial_nb(make_model, roles):
    rng = np.random.default_rng(3)
    F = 50
    counts = rng.poisson(rng.random((3, F)) * 2, size=(200, 3, F))
    X = np.vstack([counts[:, c] for c in range(3)])
    y = np.repeat([0, 1, 2], 200)
    nb = MultinomialNB(alpha=1.0).fit(X, y)
    model = make_model(
        kind="naive-bayes",
        class_names=["a", "b", "c"],
        params=om.naive_bayes_params(num_features=F),
        seal=False,
        values=[int(v) for v in nb.feature_count_.ravel()],
    )
    send(
        model.functions.loadTotals([int(t) for t in nb.feature_count_.sum(axis=1)], [int(n) for n in nb.class_count_]),
        sender=roles.oracle,
    )
    om.seal(model=model, owner=roles.oracle)
    tests = rng.poisson(rng.random((30, F)) * 2)
    for row in tests:
        indexes = [f for f in range(F) for _ in range(int(row[f]))]
        assert om.predict(model=model, x=indexes) == nb.predict(row[None])[0]


def test_only_the_trainer_updates_and_training_flips_a_sparse_perceptron(make_model, roles):
    trainer, stranger = roles.workers[0], roles.stranger
    model = make_model(
        kind="perceptron",
        class_names=["neg", "pos"],
        trainer=trainer.address,
        params=om.perceptron_params(num_features=100, sparse=True, binary=True),
    )
    x = [3, 17, 42]
    assert om.predict(model=model, x=x) == 0  # zero weights: score 0 is not positive
    with pytest.raises(TransactionFailed, match="NotTrainer"):
        send(model.functions.update(x, 1), sender=stranger)
    send(model.functions.update(x, 1), sender=trainer)
    assert om.predict(model=model, x=x) == 1
    assert model.functions.valueAt(42).call() == om.SCALE and model.functions.valueAt(100).call() == om.SCALE
    # Without its own update the model would still say 0: the point cannot vouch for itself.
    assert model.functions.predictWithout(x, 1, 0).call() == 0
    send(model.functions.update(x, 1), sender=trainer)  # already right: nothing moves
    assert model.functions.valueAt(42).call() == om.SCALE


def test_multiclass_update_and_add_class(make_model, roles):
    trainer = roles.workers[0]
    model = make_model(
        kind="perceptron",
        class_names=["a", "b"],
        trainer=trainer.address,
        params=om.perceptron_params(num_features=4, sparse=False, binary=False),
    )
    x = om.quantise([0.5, 0.0, 1.0, 0.25])
    send(model.functions.addClass("c"), sender=trainer)
    assert model.functions.numClasses().call() == 3
    send(model.functions.update(x, 2), sender=trainer)
    assert om.predict(model=model, x=x) == 2
    assert model.functions.predictWithout(x, 2, 0).call() == 0
    with pytest.raises(TransactionFailed, match="UnknownClass"):
        send(model.functions.update(x, 3), sender=trainer)
    with pytest.raises(TransactionFailed, match="NotTrainer"):
        send(model.functions.addClass("d"), sender=roles.stranger)


def test_nearest_centroid_update_moves_the_mean(make_model, roles):
    trainer = roles.workers[0]
    model = make_model(
        kind="nearest-centroid",
        class_names=["a", "b"],
        trainer=trainer.address,
        seal=False,
        params=om.centroid_params(num_features=2),
        values=om.quantise([0.0, 0.0, 1.0, 1.0]),
    )
    send(model.functions.loadCounts([1, 1]), sender=roles.oracle)
    om.seal(model=model, owner=roles.oracle, trainer=trainer.address)
    x = om.quantise([0.6, 0.6])
    send(model.functions.update(x, 0), sender=trainer)
    assert model.functions.valueAt(0).call() == 300_000 and model.functions.sampleCount(0).call() == 2
    assert om.predict(model=model, x=x) == 0
    # Its own sample taken out, class 0's centroid is back at the origin and class 1 is nearer.
    assert model.functions.predictWithout(x, 0, 1).call() == 1


def test_loading_rules_and_bad_input(w3, roles, make_model):
    created = om.create_model(
        w3=w3,
        owner=roles.oracle,
        kind="perceptron",
        class_names=["neg", "pos"],
        params=om.perceptron_params(num_features=10, sparse=True, binary=True),
    )
    model = created.contract
    with pytest.raises(TransactionFailed, match="NotOwner"):
        send(model.functions.loadWords(0, [1]), sender=roles.stranger)
    with pytest.raises(TransactionFailed, match="AlreadyInitialized"):
        send(model.functions.initialize(roles.stranger.address, ["a", "b"], b""), sender=roles.stranger)
    with pytest.raises(TransactionFailed, match="BinaryModel"):
        send(model.functions.addClass("third"), sender=roles.oracle)
    with pytest.raises(TransactionFailed, match="NotTrainer"):
        send(model.functions.update([1], 1), sender=roles.oracle)  # not sealed yet: nobody trains
    om.seal(model=model, owner=roles.oracle)
    with pytest.raises(TransactionFailed, match="AlreadySealed"):
        send(model.functions.loadWords(0, [1]), sender=roles.oracle)
    with pytest.raises(TransactionFailed, match="AlreadySealed"):
        om.seal(model=model, owner=roles.oracle, trainer=roles.oracle.address)
    for bad in ([10], [5, 2], [-1]):
        with pytest.raises(Exception, match="BadInput|0x"):
            om.predict(model=model, x=bad)
    # The revert comes from the clone inside the factory's call, so it carries the model's selector.
    with pytest.raises(TransactionFailed, match=Web3.keccak(text="TooFewClasses()")[:4].to_0x_hex()):
        om.create_model(
            w3=w3,
            owner=roles.oracle,
            kind="perceptron",
            class_names=["only"],
            params=om.perceptron_params(num_features=10, sparse=True, binary=True),
        )


def test_quantise_refuses_what_int32_cannot_hold():
    assert om.quantise([0.5, -1.25]) == [500_000, -1_250_000]
    with pytest.raises(om.ValueOutOfRange):
        om.quantise([2148.0])
    assert om.pack_words([1, -1]) == [1 | (0xFFFFFFFF << 32)]
