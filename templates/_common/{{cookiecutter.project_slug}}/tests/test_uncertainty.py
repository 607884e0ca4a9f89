"""Tests for the bootstrap confidence intervals reported next to every metric."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pytest

from {{cookiecutter.__package}} import (
    uncertainty,
)
from {{cookiecutter.__package}}.uncertainty import (
    Difference,
    Interval,
    bootstrap_mean,
    bootstrap_means,
    bootstrap_metric,
    comparison_from_resamples,
    count_chunks,
    interval_from_resamples,
    paired_differences,
    paired_means,
    paired_metric,
    resample_counts,
)


def _positive_rate(y: np.ndarray) -> float:
    """Share of positives, undefined (ValueError) when the sample has none."""
    if not y.any():
        raise ValueError("no positive case")
    return float(y.mean())


def test_interval_format() -> None:
    interval = Interval(estimate=0.91234, low=0.8871, high=0.93449, confidence=0.95)

    assert interval.format() == "0.912 [0.887, 0.934]"
    assert interval.format(2) == "0.91 [0.89, 0.93]"


def test_interval_to_dict_is_plain_floats() -> None:
    interval = Interval(np.float64(0.5), 0.4, 0.6, 0.95)

    assert interval.to_dict() == {"estimate": 0.5, "low": 0.4, "high": 0.6, "confidence": 0.95}
    assert type(interval.to_dict()["estimate"]) is float


def test_interval_rejects_reversed_bounds() -> None:
    with pytest.raises(ValueError, match="reversed"):
        Interval(estimate=0.5, low=0.6, high=0.4, confidence=0.95)


def test_mean_of_constant_values_has_degenerate_interval() -> None:
    assert bootstrap_mean(np.full(50, 2.0)) == Interval(2.0, 2.0, 2.0, 0.95)


def test_metric_of_constant_values_has_degenerate_interval() -> None:
    interval = bootstrap_metric(np.mean, np.full(20, 3.0), n_resamples=100)

    assert (interval.low, interval.estimate, interval.high) == (3.0, 3.0, 3.0)


def test_mean_interval_contains_the_estimate() -> None:
    values = np.random.default_rng(1).exponential(size=200)

    interval = bootstrap_mean(values)

    assert interval.estimate == pytest.approx(values.mean())
    assert interval.low < interval.estimate < interval.high


def test_mean_interval_width_matches_the_normal_approximation() -> None:
    # 400 fair coin flips: standard error sqrt(0.5 * 0.5 / 400) = 0.025, so the 95%
    # interval is about 2 * 1.96 * 0.025 = 0.098 wide.
    values = np.tile([0.0, 1.0], 200)

    interval = bootstrap_mean(values, n_resamples=2000)

    assert interval.estimate == 0.5
    assert 0.085 < interval.width < 0.11


def test_mean_interval_narrows_with_more_rows() -> None:
    rng = np.random.default_rng(2)

    small = bootstrap_mean(rng.normal(size=100), n_resamples=200)
    large = bootstrap_mean(rng.normal(size=10_000), n_resamples=200)

    # The width shrinks like 1 / sqrt(n): 100 times the rows, a tenth of the width.
    assert large.width < small.width / 5


def test_lower_confidence_gives_a_narrower_interval() -> None:
    values = np.random.default_rng(3).normal(size=300)

    assert bootstrap_mean(values, confidence=0.5).width < bootstrap_mean(values).width


def test_mean_is_deterministic_for_a_seed() -> None:
    values = np.random.default_rng(4).normal(size=100)

    assert bootstrap_mean(values, seed=7) == bootstrap_mean(values, seed=7)
    assert bootstrap_mean(values, seed=7) != bootstrap_mean(values, seed=8)


def test_metric_is_deterministic_for_a_seed() -> None:
    values = np.random.default_rng(5).normal(size=50)

    first = bootstrap_metric(np.median, values, n_resamples=200, seed=3)

    assert bootstrap_metric(np.median, values, n_resamples=200, seed=3) == first


def test_mean_and_metric_agree_for_the_same_seed() -> None:
    values = np.random.default_rng(6).normal(size=80)

    fast = bootstrap_mean(values, n_resamples=300, seed=11)
    slow = bootstrap_metric(np.mean, values, n_resamples=300, seed=11)

    assert (fast.low, fast.high) == pytest.approx((slow.low, slow.high), abs=1e-12)


@pytest.mark.parametrize("chunk_cells", [8_000_000, 130])
def test_means_drawn_once_equal_each_mean_on_its_own(
    chunk_cells: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 130 cells is one resample of 97 rows per chunk: the draws cross many chunk boundaries.
    monkeypatch.setattr(uncertainty, "_CHUNK_CELLS", chunk_cells)
    rng = np.random.default_rng(9)
    values = {
        "ndcg": rng.random(97),
        "hits": rng.integers(0, 2, 97),
        "novelty": rng.normal(size=97),
    }

    together = bootstrap_means(values, n_resamples=150, confidence=0.9, seed=5)

    assert list(together) == list(values)
    for name, array in values.items():
        assert together[name] == bootstrap_mean(array, n_resamples=150, confidence=0.9, seed=5)
    assert bootstrap_means({}) == {}


def test_means_drawn_once_refuse_what_a_mean_refuses() -> None:
    with pytest.raises(ValueError, match="one shape"):
        bootstrap_means({"a": np.ones(3), "b": np.ones(4)})
    with pytest.raises(ValueError, match="NaN"):
        bootstrap_means({"a": np.array([1.0, np.nan])})
    with pytest.raises(ValueError, match="zero values"):
        bootstrap_means({"a": np.array([])})


def test_metric_resamples_paired_rows_together() -> None:
    y_true = np.arange(30.0)

    # The pairs (y, y) stay together in every resample, so the error is always zero.
    interval = bootstrap_metric(
        lambda a, b: float(np.abs(a - b).max()), y_true, y_true.copy(), n_resamples=100
    )

    assert (interval.low, interval.high) == (0.0, 0.0)


def test_metric_skips_resamples_where_the_metric_warns_undefined() -> None:
    # 3 positives in 25 cases: a resample has no positive with probability 0.88 ** 25, about
    # 4%, where scikit-learn warns and ROC-AUC is undefined; that is under the 10% limit,
    # and the warning must not escape (pytest runs with warnings as errors).
    y_true = np.array([1] * 3 + [0] * 22)
    scores = np.linspace(1.0, 0.0, 25)
    roc_auc_score = pytest.importorskip("sklearn.metrics").roc_auc_score
    one_class_calls = 0

    def auc(y: np.ndarray, s: np.ndarray) -> Any:
        nonlocal one_class_calls
        one_class_calls += len(np.unique(y)) == 1
        return roc_auc_score(y, s)

    interval = bootstrap_metric(auc, y_true, scores, n_resamples=50)

    assert one_class_calls > 0
    assert interval.estimate == 1.0
    assert math.isfinite(interval.low)


def test_other_warnings_are_shown_once_not_per_resample() -> None:
    def noisy_mean(values: np.ndarray) -> float:
        warnings.warn("approximate", UserWarning, stacklevel=2)
        return float(values.mean())

    with pytest.warns(UserWarning, match="approximate") as record:
        bootstrap_metric(noisy_mean, np.arange(10.0), n_resamples=50)

    assert len(record) == 1


def test_metric_returning_nan_counts_as_undefined() -> None:
    y = np.array([1] + [0] * 29)

    def rate_or_nan(sample: np.ndarray) -> float:
        return float(sample.mean()) if sample.any() else math.nan

    with pytest.raises(ValueError, match="undefined in"):
        bootstrap_metric(rate_or_nan, y, n_resamples=200)


def test_too_many_undefined_resamples_raise() -> None:
    # 1 positive in 30: a resample misses it with probability (29/30) ** 30, about 36%.
    y = np.array([1] + [0] * 29)

    with pytest.raises(ValueError, match=r"undefined in \d+ of 200 resamples"):
        bootstrap_metric(_positive_rate, y, n_resamples=200)


def test_few_undefined_resamples_are_tolerated() -> None:
    # 5 positives in 30: a resample misses all of them with probability (25/30) ** 30,
    # about 0.4%, well under the 10% limit.
    y = np.array([1] * 5 + [0] * 25)

    interval = bootstrap_metric(_positive_rate, y, n_resamples=500)

    assert interval.estimate == pytest.approx(5 / 30)


def test_metric_undefined_on_full_data_raises_with_the_reason() -> None:
    with pytest.raises(ValueError, match="undefined on the full data.*no positive case") as info:
        bootstrap_metric(_positive_rate, np.zeros(10), n_resamples=10)

    assert isinstance(info.value.__cause__, ValueError)


def test_metric_rejects_arrays_of_different_lengths() -> None:
    with pytest.raises(ValueError, match="same number of rows"):
        bootstrap_metric(lambda a, b: 0.0, [0, 1, 1], [0.1, 0.9])


def test_mean_rejects_nan() -> None:
    with pytest.raises(ValueError, match="NaN"):
        bootstrap_mean([1.0, math.nan])


@pytest.mark.parametrize("confidence", [0.0, 1.0, 95])
def test_invalid_confidence_raises(confidence: float) -> None:
    with pytest.raises(ValueError, match="confidence"):
        bootstrap_mean([1.0, 2.0], confidence=confidence)


def _correlated_costs(shift: float, n: int = 400) -> tuple[np.ndarray, np.ndarray]:
    """Per-case costs of two policies that share most of their variation, as real ones do."""
    rng = np.random.default_rng(7)
    shared = rng.exponential(scale=100.0, size=n)
    return shared + rng.normal(0.0, 5.0, size=n), shared + shift + rng.normal(0.0, 5.0, size=n)


def test_identical_systems_differ_by_zero_with_an_interval_containing_it() -> None:
    values = np.random.default_rng(3).normal(size=300)

    comparison = paired_means(values, values.copy())

    assert comparison.difference == Difference(
        0.0, 0.0, 0.0, 0.95, n=300, share_at_or_below_zero=1.0
    )
    assert not comparison.difference.conclusive
    assert comparison.difference.units_to_settle() is None


def test_paired_interval_is_narrower_than_the_marginal_ones_on_correlated_data() -> None:
    first, second = _correlated_costs(shift=3.0)

    comparison = paired_means(first, second)

    assert comparison.difference.width < comparison.first.width / 5
    assert comparison.difference.width < comparison.second.width / 5
    # The marginal intervals overlap almost entirely, yet the paired one excludes zero.
    assert comparison.first.high > comparison.second.low
    assert comparison.difference.direction == -1 and comparison.difference.conclusive


def test_paired_means_marginals_equal_bootstrap_mean_for_the_same_seed() -> None:
    first, second = _correlated_costs(shift=1.0, n=150)

    comparison = paired_means(first, second, n_resamples=300, seed=11)

    assert comparison.first == bootstrap_mean(first, n_resamples=300, seed=11)
    assert comparison.second == bootstrap_mean(second, n_resamples=300, seed=11)


def test_an_unclear_difference_says_how_many_units_would_settle_it() -> None:
    rng = np.random.default_rng(5)
    noise = rng.normal(0.0, 1.0, size=100)
    first, second = noise + 0.1, noise + rng.normal(0.0, 1.0, size=100)

    difference = paired_means(first, second).difference

    assert not difference.conclusive
    needed = difference.units_to_settle()
    assert needed is not None and needed > 100
    larger = (
        np.tile(first, math.ceil(needed / 100) * 2),
        np.tile(second, math.ceil(needed / 100) * 2),
    )
    assert paired_means(*larger).difference.conclusive


def test_paired_metric_compares_on_the_same_resampled_rows() -> None:
    rng = np.random.default_rng(2)
    y = rng.integers(0, 2, size=300)
    good = y + rng.normal(0.0, 0.6, size=300)
    worse = y + rng.normal(0.0, 1.2, size=300)

    def accuracy(y_true: np.ndarray, score: np.ndarray) -> float:
        return float(np.mean((score > 0.5) == y_true))

    comparison = paired_metric(accuracy, (y, good), (y, worse), n_resamples=400)

    assert comparison.first == bootstrap_metric(accuracy, y, good, n_resamples=400)
    assert comparison.difference.estimate == pytest.approx(accuracy(y, good) - accuracy(y, worse))
    assert comparison.difference.direction == 1


def test_paired_metric_skips_resamples_undefined_on_either_side() -> None:
    y = np.array([0] * 98 + [1] * 2)

    def positive_rate(y_true: np.ndarray, _score: np.ndarray) -> float:
        return _positive_rate(y_true)

    with pytest.raises(ValueError, match="undefined in"):
        paired_metric(positive_rate, (y, y), (y, y), n_resamples=200)


@pytest.mark.parametrize(
    ("first", "second", "message"),
    [
        ([1.0, 2.0], [1.0], "one shape"),
        ([], [], "zero values"),
        ([1.0, math.nan], [1.0, 2.0], "NaN"),
    ],
)
def test_paired_means_rejects_bad_input(
    first: list[float], second: list[float], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        paired_means(first, second)


def test_difference_to_dict_is_json_ready() -> None:
    difference = paired_means([1.0, 2.0, 3.0], [1.0, 2.5, 2.0], n_resamples=50).difference

    data = difference.to_dict()

    assert data["n"] == 3 and isinstance(data["conclusive"], bool)
    assert set(data) >= {"estimate", "low", "high", "share_at_or_below_zero", "units_to_settle"}


def test_paired_differences_equal_paired_means_for_every_pair() -> None:
    rng = np.random.default_rng(4)
    base = rng.random(700)
    values = {
        "a": base,
        "b": base + rng.normal(0.02, 0.05, 700),
        "c": rng.random(700),
    }

    every = paired_differences(values, n_resamples=300, confidence=0.9, seed=11)

    assert sorted(every) == ["a", "b", "c"]
    for first in values:
        assert sorted(every[first]) == sorted(set(values) - {first})
        for second, difference in every[first].items():
            one = paired_means(
                values[first], values[second], n_resamples=300, confidence=0.9, seed=11
            ).difference
            assert difference == one


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"a": [1.0, 2.0], "b": [1.0]}, "one shape"),
        ({"a": [], "b": []}, "zero values"),
        ({"a": [1.0, math.nan], "b": [1.0, 2.0]}, "NaN"),
    ],
)
def test_paired_differences_reject_bad_input(values: dict[str, list[float]], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        paired_differences(values)


def test_resample_counts_are_the_resamples_the_other_functions_draw() -> None:
    # 50,000 rows make three chunks of resamples: the chunking must not change the draws.
    rows, resamples = 50_000, 400
    values = np.random.default_rng(3).normal(size=rows)
    chunks = list(resample_counts(rows, resamples, seed=5))
    assert len(chunks) == count_chunks(rows, resamples) > 1
    counts = np.vstack([c for _, c in chunks])
    assert [start for start, _ in chunks] == [0, *np.cumsum([len(c) for _, c in chunks])[:-1]]
    assert counts.shape == (resamples, rows)
    assert (counts.sum(axis=1) == rows).all()
    means = counts @ values / rows
    expected = bootstrap_mean(values, n_resamples=resamples, seed=5)
    got = interval_from_resamples(float(values.mean()), means)
    assert (got.low, got.high) == pytest.approx((expected.low, expected.high), abs=1e-12)


def test_intervals_from_resamples_skip_a_few_undefined_and_refuse_many() -> None:
    values = np.linspace(0, 1, 100)
    few = values.copy()
    few[:5] = np.nan
    assert interval_from_resamples(0.5, few).low == pytest.approx(np.quantile(values[5:], 0.025))
    many = values.copy()
    many[:11] = np.nan
    with pytest.raises(ValueError, match="undefined in 11 of 100 resamples"):
        interval_from_resamples(0.5, many)
    with pytest.raises(ValueError, match="undefined on the full data"):
        interval_from_resamples(math.nan, values)


def test_comparisons_from_resamples_equal_paired_means_for_the_same_seed() -> None:
    rng = np.random.default_rng(8)
    a = rng.normal(size=300)
    b = a + rng.normal(0.1, 0.5, size=300)
    counts = np.vstack([c for _, c in resample_counts(300, 500, seed=2)])
    got = comparison_from_resamples(
        (float(a.mean()), float(b.mean())), counts @ a / 300, counts @ b / 300, n=300
    )
    expected = paired_means(a, b, n_resamples=500, seed=2)
    assert got.difference.low == pytest.approx(expected.difference.low)
    assert got.difference.high == pytest.approx(expected.difference.high)
    assert got.difference.share_at_or_below_zero == expected.difference.share_at_or_below_zero
    assert (got.first.low, got.first.high) == pytest.approx(
        (expected.first.low, expected.first.high)
    )
    assert got.difference.n == 300
