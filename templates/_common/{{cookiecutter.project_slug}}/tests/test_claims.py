"""Tests for comparison sentences whose wording follows the paired interval."""

from __future__ import annotations

import numpy as np

from {{cookiecutter.__package}}.claims import (
    Wording,
    compare,
    settle_clause,
)
from {{cookiecutter.__package}}.uncertainty import (
    Difference,
    paired_means,
)

SAVING = Wording(
    ahead="saves {value} {interval} EUR a month",
    behind="costs {value} {interval} EUR a month more",
    unclear="no saving this test set can show ({estimate} {interval} EUR a month); {settle}",
)


def _difference(estimate: float, low: float, high: float, n: int = 100) -> Difference:
    return Difference(estimate, low, high, 0.95, n=n, share_at_or_below_zero=0.5)


def test_a_clear_saving_is_stated_with_its_interval() -> None:
    assert compare(_difference(1200, 400, 2000), SAVING) == "saves 1,200 [400, 2,000] EUR a month"


def test_a_clear_loss_is_stated_as_a_cost_with_positive_bounds() -> None:
    sentence = compare(_difference(-1200, -2000, -400), SAVING)

    assert sentence == "costs 1,200 [400, 2,000] EUR a month more"


def test_an_interval_containing_zero_never_claims_a_saving() -> None:
    sentence = compare(_difference(11236, -191011, 191011), SAVING)

    assert sentence.startswith("no saving this test set can show (11,236 [-191,011, 191,011]")
    assert "cases would settle it" in sentence


def test_identical_systems_read_as_indistinguishable() -> None:
    values = np.arange(50, dtype=float)
    difference = paired_means(values, values).difference

    assert settle_clause(difference, "users") == "the two are indistinguishable on these users"
    assert "saves" not in compare(difference, SAVING)


def test_a_clearly_better_system_reads_as_ahead() -> None:
    rng = np.random.default_rng(0)
    cost_without = rng.exponential(100.0, size=500) + 50.0
    saving = paired_means(cost_without, cost_without - 20.0 + rng.normal(0, 2, size=500))

    assert compare(saving.difference, SAVING).startswith("saves 20")
