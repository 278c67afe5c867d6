import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from apps.learning.engine import (
    ActiveLearningLoop,
    CurvePoint,
    InsufficientLabelsError,
    evaluate,
    labels_to_reach,
    rank_pool,
    train,
)
from apps.learning.features import image_features, text_features
from apps.learning.strategies import STRATEGIES

CLASSES = list(range(10))


@pytest.fixture(scope="module")
def digits_split():
    digits = load_digits()
    X = image_features(digits.images / 16.0, size=(8, 8))
    return train_test_split(X, digits.target, test_size=0.3, random_state=0, stratify=digits.target)


def test_train_and_evaluate_round_trip(digits_split):
    X_train, X_test, y_train, y_test = digits_split
    model = train(X_labeled=X_train, y_labeled=y_train, classes=CLASSES)
    accuracy = evaluate(model, X_test, y_test)
    assert 0.9 < accuracy <= 1.0
    assert evaluate(model, X_test, y_test) == accuracy


def test_train_rejects_labels_outside_the_classes_and_single_class_sets():
    X = np.array([[0.0], [1.0], [2.0]])
    with pytest.raises(ValueError, match=r"labels \['dog'\] are not among"):
        train(X_labeled=X, y_labeled=["cat", "dog", "cat"], classes=["cat", "bird"])
    with pytest.raises(InsufficientLabelsError, match="at least two classes"):
        train(X_labeled=X, y_labeled=["cat"] * 3, classes=["cat", "bird"])


def test_active_loop_reaches_good_accuracy_with_few_labels(digits_split):
    X_train, X_test, y_train, y_test = digits_split
    result = ActiveLearningLoop(
        X_pool=X_train, y_pool=y_train, X_holdout=X_test, y_holdout=y_test, classes=CLASSES
    ).run(budget=150)
    assert [point.n_labeled for point in result.curve] == list(range(20, 151, 10))
    # Full-data accuracy is ~0.97; 150 of 1257 labels chosen by the learner should be well past 0.85.
    assert result.curve[-1].accuracy > 0.85
    assert len(set(result.labeled.tolist())) == len(result.labeled) == 150


def test_every_strategy_runs_on_sparse_text_features():
    sport = ["goal", "match", "team", "striker", "league", "keeper"]
    politics = ["vote", "election", "party", "senate", "ballot", "minister"]
    texts = [f"{word} scored in the {word} final" for word in sport]
    texts += [f"{word} debated in the {word} chamber" for word in politics]
    X = text_features(texts)
    labels = ["sport"] * 6 + ["politics"] * 6
    seen = [0, 1, 6, 7]
    model = train(X_labeled=X[seen], y_labeled=[labels[i] for i in seen], classes=["sport", "politics"])
    for strategy in STRATEGIES:
        ranking = rank_pool(model=model, X_pool=X, strategy=strategy, batch_size=3, exclude=seen, random_state=0)
        assert sorted(ranking.indices.tolist()) == [2, 3, 4, 5, 8, 9, 10, 11]


def curve(*accuracies: float) -> list[CurvePoint]:
    return [CurvePoint(20 + 10 * i, accuracy) for i, accuracy in enumerate(accuracies)]


@pytest.mark.parametrize(
    ("accuracies", "sustained", "first"),
    [
        ((0.5, 0.9, 0.8, 0.92, 0.95), 50, 30),  # a dip after the first crossing moves the sustained point
        ((0.5, 0.9, 0.95), 30, 30),
        ((0.5, 0.6, 0.95, 0.7), None, 40),  # ends below: never sustained
        ((0.5, 0.6), None, None),
    ],
)
def test_labels_to_reach(accuracies, sustained, first):
    assert labels_to_reach(curve(*accuracies), target=0.9) == sustained
    assert labels_to_reach(curve(*accuracies), target=0.9, sustained=False) == first
