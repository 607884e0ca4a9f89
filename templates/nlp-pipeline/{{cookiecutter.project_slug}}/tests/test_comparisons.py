"""Comparisons whose truth is known: the wording must follow the paired interval every time."""

import numpy as np
import pytest

from {{ cookiecutter.__package }}.comparisons import (
    Policy,
    Words,
    class_comparison,
    compare_policies,
    cost_sensitivity,
    threshold_stability,
)
from {{ cookiecutter.__package }}.config import CostConfig, LabelConfig
from {{ cookiecutter.__package }}.costmatrix import cost_matrix
from {{ cookiecutter.__package }}.costs import ErrorCosts, best_threshold
from {{ cookiecutter.__package }}.uncertainty import paired_means

COSTS = cost_matrix(
    CostConfig(false_positive=4.5, false_negative=0.5),
    LabelConfig(map={"ham": "ham", "spam": "spam"}, positive="spam"),
)
WORDS = Words("EUR", "message", "messages")
RNG = np.random.default_rng(7)
Y = (RNG.random(600) < 0.15).astype(np.int64)


def _flip(y: np.ndarray, share: float, seed: int) -> np.ndarray:
    """``y`` with a random ``share`` of its labels wrong."""
    rng = np.random.default_rng(seed)
    wrong = rng.random(y.size) < share
    return np.where(wrong, 1 - y, y).astype(np.int64)


def _policy(key: str, predicted: np.ndarray, *, baseline: bool = True) -> Policy:
    phrase = "the model" if key == "model" else f"the {key} rule"
    return Policy(key, key.capitalize(), phrase, "threshold 0.500", predicted, baseline)


def _compare(model: np.ndarray, *others: tuple[str, np.ndarray]) -> dict:
    policies = [_policy("model", model, baseline=False)]
    policies += [_policy(key, predicted) for key, predicted in others]
    return compare_policies(Y, policies, COSTS, WORDS, resamples=500, seed=0)


def _row(result: dict, key: str) -> dict:
    return next(row for row in result["policies"] if row["policy"] == key)


def test_two_identical_models_cannot_be_told_apart() -> None:
    model = _flip(Y, 0.1, seed=1)
    row = _row(_compare(model, ("twin", model.copy())), "twin")
    assert row["saving"]["low"] <= 0 <= row["saving"]["high"]
    assert not row["saving"]["conclusive"]
    assert row["sentence"].startswith("This test set cannot show whether the model costs less")
    assert "the two are indistinguishable on these test messages" in row["sentence"]
    assert "saves" not in row["sentence"]


def test_a_clearly_better_model_saves_with_its_interval() -> None:
    row = _row(_compare(_flip(Y, 0.02, seed=1), ("sloppy", _flip(Y, 0.3, seed=2))), "sloppy")
    assert row["saving"]["low"] > 0
    assert row["sentence"].startswith("The model saves ")
    assert "EUR per 10,000 messages against the sloppy rule." in row["sentence"]


def test_a_baseline_that_beats_the_model_is_named_the_winner() -> None:
    result = _compare(_flip(Y, 0.3, seed=1), ("careful", _flip(Y, 0.01, seed=2)))
    assert result["best_baseline"] == "careful"
    row = _row(result, "careful")
    assert row["saving"]["high"] < 0
    assert row["sentence"].startswith("The careful rule costs ")
    assert row["sentence"].endswith("less than the model: it beats the model on this test set.")


def test_the_best_baseline_is_the_cheapest_even_when_the_model_beats_it() -> None:
    result = _compare(
        _flip(Y, 0.01, seed=1), ("worse", _flip(Y, 0.2, seed=2)), ("worst", _flip(Y, 0.4, seed=3))
    )
    assert result["best_baseline"] == "worse"


def test_a_paired_interval_is_narrower_than_the_marginal_ones_on_correlated_data() -> None:
    # Two policies that disagree on a few texts: most of each one's luck is shared.
    model = _flip(Y, 0.1, seed=1)
    other = model.copy()
    other[np.flatnonzero(model == Y)[:6]] = 1 - Y[np.flatnonzero(model == Y)[:6]]
    costs = [COSTS.matrix[Y, p] * 10_000 for p in (other, model)]
    comparison = paired_means(*costs, n_resamples=500, seed=0)
    assert comparison.difference.width < 0.5 * min(comparison.first.width, comparison.second.width)
    row = _row(_compare(model, ("close", other)), "close")
    assert row["saving"]["high"] - row["saving"]["low"] == pytest.approx(
        comparison.difference.width
    )


def test_a_comparison_needs_the_model_first_and_a_baseline() -> None:
    with pytest.raises(ValueError, match="start with the model"):
        compare_policies(Y, [_policy("other", Y)], COSTS, WORDS, resamples=100, seed=0)


def test_a_default_rule_is_compared_with_the_chosen_one_not_with_the_model() -> None:
    chosen = Policy("model", "Model", "the chosen threshold 0.300", "t", _flip(Y, 0.02, 1), False)
    default = Policy(
        "model_at_default", "Default", "the default threshold 0.500", "t", _flip(Y, 0.3, 2), False
    )
    base = _policy("constant", np.zeros_like(Y))
    result = compare_policies(Y, [chosen, default, base], COSTS, WORDS, resamples=300, seed=0)
    sentence = _row(result, "model_at_default")["sentence"]
    assert sentence.startswith("The chosen threshold 0.300 saves ")
    assert sentence.endswith("against the default threshold 0.500.")
    assert result["best_baseline"] == "constant"


def test_a_class_name_with_braces_is_quoted_literally() -> None:
    odd = Policy("odd", "Odd", "the {odd} rule", "t", _flip(Y, 0.3, 2), True)
    result = compare_policies(
        Y, [_policy("model", Y, baseline=False), odd], COSTS, WORDS, resamples=100, seed=0
    )
    assert "against the {odd} rule." in _row(result, "odd")["sentence"]


def test_per_class_f1_is_compared_on_the_same_resamples() -> None:
    y = np.repeat([0, 1, 2], 100)
    model = y.copy()
    other = _policy("weak", np.where(np.arange(y.size) % 3 == 0, (y + 1) % 3, y))
    rows = class_comparison(y, model, other, ("A", "B", "C"), resamples=300, seed=0)
    assert [row["class"] for row in rows] == ["A", "B", "C"]
    for row in rows:
        assert row["difference"]["low"] > 0
        assert row["verdict"].startswith("model ahead by ")
    twin = _policy("same", model.copy())
    same = class_comparison(y, model, twin, ("A", "B", "C"), resamples=300, seed=0)
    assert all(row["verdict"].startswith("cannot show which is ahead") for row in same)


def test_the_threshold_range_covers_the_choices_of_the_resampled_validation_sets() -> None:
    rng = np.random.default_rng(3)
    y = (rng.random(400) < 0.3).astype(np.int64)
    scores = np.clip(0.35 * y + rng.random(400) * 0.7, 0, 1)
    prices = ErrorCosts(false_positive=2.0, false_negative=1.0)
    stability = threshold_stability(y, scores, y, scores, prices, resamples=200, seed=0)
    chosen = best_threshold(y, scores, prices)
    assert stability["low"] <= stability["median"] <= stability["high"]
    assert stability["low"] <= chosen <= stability["high"]
    assert stability["test_cost_low"] <= stability["test_cost_high"]


def test_a_dearer_false_positive_raises_the_threshold() -> None:
    rng = np.random.default_rng(4)
    y = (rng.random(400) < 0.3).astype(np.int64)
    scores = np.clip(0.35 * y + rng.random(400) * 0.7, 0, 1)
    prices = ErrorCosts(false_positive=2.0, false_negative=1.0)
    chosen = best_threshold(y, scores, prices)
    rows = cost_sensitivity(y, scores, y, scores, prices, chosen)
    assert [row["false_positive"] for row in rows] == [2.0, 1.0, 4.0]
    assert rows[1]["threshold"] <= rows[0]["threshold"] == chosen <= rows[2]["threshold"]
    # At its own price the re-chosen threshold is never dearer on the data that chose it.
    for row in rows:
        assert row["test_cost_per_10k"] <= row["configured_test_cost_per_10k"] + 1e-9
