import numpy as np
import pytest
from sklearn.metrics import (
    average_precision_score,
    brier_score_loss,
    f1_score,
    precision_recall_fscore_support,
    roc_auc_score,
)

from {{ cookiecutter.__package }}.metrics import (
    average_precision,
    brier_terms,
    class_metrics,
    f1_of,
    macro,
    macro_roc_auc,
    micro_f1,
    precision_of,
    probability_metrics,
    recall_of,
    roc_auc,
)

RNG = np.random.default_rng(0)
Y = RNG.integers(0, 4, size=400)
P = np.where(RNG.random(400) < 0.7, Y, RNG.integers(0, 4, size=400))


def test_per_class_metrics_match_scikit_learn() -> None:
    precision, recall, f1, _ = precision_recall_fscore_support(Y, P, labels=range(4))
    for cls in range(4):
        assert precision_of(cls, 4)(Y, P) == pytest.approx(precision[cls])
        assert recall_of(cls, 4)(Y, P) == pytest.approx(recall[cls])
        assert f1_of(cls, 4)(Y, P) == pytest.approx(f1[cls])


@pytest.mark.parametrize("kind", ["precision", "recall", "f1"])
def test_macro_averages_match_scikit_learn(kind: str) -> None:
    expected = precision_recall_fscore_support(Y, P, average="macro", zero_division=0)
    index = ("precision", "recall", "f1").index(kind)
    assert macro(kind, 4)(Y, P) == pytest.approx(expected[index])


def test_micro_f1_is_accuracy_with_one_class_per_case() -> None:
    assert micro_f1(Y, P) == pytest.approx(f1_score(Y, P, average="micro"))
    assert micro_f1(Y, P) == pytest.approx(np.mean(Y == P))


def test_a_class_never_given_has_no_precision_but_counts_as_zero_in_the_macro() -> None:
    y, p = np.array([0, 0, 1, 2]), np.array([0, 0, 0, 2])
    assert np.isnan(precision_of(1, 3)(y, p))
    assert macro("precision", 3)(y, p) == pytest.approx((2 / 3 + 0 + 1) / 3)


def test_class_metrics_hold_intervals_around_each_estimate() -> None:
    metrics = class_metrics(Y, P, ("a", "b", "c", "d"), resamples=200, seed=0)
    assert set(metrics["per_class"]) == {"a", "b", "c", "d"}
    for value in [
        *(m[k] for m in metrics["per_class"].values() for k in ("precision", "recall", "f1")),
        *metrics["macro"].values(),
        metrics["micro_f1"],
    ]:
        assert value["low"] <= value["estimate"] <= value["high"]
    assert metrics["per_class"]["a"]["support"] == int(np.sum(Y == 0))


def test_an_undefined_metric_is_reported_without_an_interval() -> None:
    y, p = np.array([0, 0, 1, 0]), np.zeros(4, dtype=int)
    spam = class_metrics(y, p, ("ham", "spam"), resamples=100, seed=0)["per_class"]["spam"]
    assert spam["precision"] == {"estimate": None, "low": None, "high": None}


@pytest.mark.parametrize("seed", range(5))
def test_roc_auc_and_average_precision_match_scikit_learn_with_ties(seed: int) -> None:
    rng = np.random.default_rng(seed)
    y = (rng.random(300) < 0.2).astype(int)
    scores = np.round(np.clip(0.3 * y + rng.random(300), 0, 1), 1)  # many ties
    assert roc_auc(y, scores) == pytest.approx(roc_auc_score(y, scores), abs=1e-12)
    assert average_precision(y, scores) == pytest.approx(
        average_precision_score(y, scores), abs=1e-12
    )


def test_macro_roc_auc_is_the_one_against_the_rest_average() -> None:
    probabilities = np.random.default_rng(1).dirichlet([1, 1, 1, 1], size=Y.size)
    expected = roc_auc_score(Y, probabilities, multi_class="ovr", labels=range(4))
    assert macro_roc_auc(Y, probabilities) == pytest.approx(expected, abs=1e-12)


def test_brier_terms_average_to_the_usual_scores() -> None:
    rng = np.random.default_rng(2)
    y = (rng.random(200) < 0.3).astype(int)
    p = rng.random(200)
    binary = brier_terms(y, np.column_stack([1 - p, p]))
    assert binary.mean() == pytest.approx(brier_score_loss(y, p))
    probabilities = rng.dirichlet([1, 1, 1], size=200)
    y3 = rng.integers(0, 3, size=200)
    expected = ((probabilities - np.eye(3)[y3]) ** 2).sum(axis=1).mean()
    assert brier_terms(y3, probabilities).mean() == pytest.approx(expected)


def test_undefined_probability_metrics_are_nan() -> None:
    assert np.isnan(roc_auc(np.zeros(5), np.arange(5)))
    assert np.isnan(average_precision(np.zeros(5), np.arange(5)))


def test_probability_metrics_come_with_intervals() -> None:
    rng = np.random.default_rng(3)
    y = (rng.random(300) < 0.3).astype(int)
    p = np.clip(0.4 * y + rng.random(300) * 0.6, 0, 1)
    metrics = probability_metrics(y, np.column_stack([1 - p, p]), resamples=200, seed=0)
    assert set(metrics) == {"brier", "roc_auc", "average_precision"}
    for value in metrics.values():
        assert value["low"] <= value["estimate"] <= value["high"]
