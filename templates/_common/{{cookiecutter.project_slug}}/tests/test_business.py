"""Tests for the per-10,000 business translation shared by every report."""

from __future__ import annotations

import math

import pytest

from {{cookiecutter.__package}}.business import (
    format_count,
    per_n,
)


def test_per_n_scales_to_ten_thousand_by_default() -> None:
    # 3 errors in 1,000 cases = 0.003 per case = 30 per 10,000.
    assert per_n(3, 1_000) == pytest.approx(30.0)


def test_per_n_accepts_another_base() -> None:
    # 7 in 350 = 0.02 per case = 2 per 100.
    assert per_n(7, 350, n=100) == pytest.approx(2.0)


def test_per_n_works_for_costs() -> None:
    # A cost of 115 over 1,000 cases is 1,150 per 10,000.
    assert per_n(115.0, 1_000) == pytest.approx(1_150.0)


@pytest.mark.parametrize("total", [0, -5])
def test_per_n_rejects_a_non_positive_total(total: int) -> None:
    with pytest.raises(ValueError, match="total must be positive"):
        per_n(1, total)


def test_per_n_rejects_a_non_finite_count() -> None:
    with pytest.raises(ValueError, match="finite"):
        per_n(math.nan, 10)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1150, "1,150"),
        (1150.0, "1,150"),
        (1234567.89, "1,234,568"),
        (123.4, "123"),
        (11.54, "11.5"),
        (12.0, "12"),
        (3.254, "3.25"),
        (3.2, "3.2"),
        (0.3254, "0.325"),
        (0.0001, "0"),
        (-0.0001, "0"),
        (-1150.4, "-1,150"),
        (0, "0"),
        (math.nan, "n/a"),
    ],
)
def test_format_count(value: float, expected: str) -> None:
    assert format_count(value) == expected
