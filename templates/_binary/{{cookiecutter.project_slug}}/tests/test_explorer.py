"""Tests for the threshold and cost explorer's data and its reference numbers."""

from __future__ import annotations

import json

import numpy as np
import pytest

from {{cookiecutter.__package}}.explorer import (
    MAX_CASES,
    explorer_payload,
    explorer_point,
)

NAMES = {"positive": "churners", "negative": "loyal customers", "case": "customers"}


def _payload(y: list[int], scores: list[float], **options: object) -> dict[str, object]:
    settings: dict[str, object] = {
        "false_positive_cost": 10.0,
        "false_negative_cost": 50.0,
        "currency": "EUR",
        "cases_per_period": 1000.0,
        "period": "month",
        "chosen_threshold": 0.4,
        "names": NAMES,
        **options,
    }
    return explorer_payload(y, scores, **settings)  # type: ignore[arg-type]


def test_errors_and_costs_at_a_threshold() -> None:
    payload = _payload([0, 0, 1, 1], [0.1, 0.6, 0.4, 0.9])

    point = explorer_point(payload, threshold=0.5)

    # Flagged: 0.6 (a negative: one false positive) and 0.9; missed: the positive at 0.4.
    assert point["false_positives_per_10k"] == 2500.0
    assert point["false_negatives_per_10k"] == 2500.0
    assert point["cost_per_period"] == pytest.approx((10 + 50) / 4 * 1000)


def test_a_score_equal_to_the_threshold_is_flagged() -> None:
    payload = _payload([1], [0.4])

    assert explorer_point(payload, threshold=0.4)["false_negatives_per_10k"] == 0.0


def test_the_best_baseline_follows_the_costs() -> None:
    payload = _payload([0, 0, 0, 1], [0.1, 0.2, 0.3, 0.9])

    cheap_misses = explorer_point(payload, threshold=0.5, false_negative_cost=1.0)
    dear_misses = explorer_point(payload, threshold=0.5, false_negative_cost=1000.0)

    assert cheap_misses["best_baseline"] == "act on no one"
    assert dear_misses["best_baseline"] == "act on everyone"
    assert dear_misses["saving"] == pytest.approx(3 * 10.0 / 4 * 1000)


def test_an_extra_baseline_is_priced_at_any_costs() -> None:
    payload = _payload([0, 1, 1, 0], [0.2, 0.8, 0.7, 0.1], baselines={"keyword rule": [0, 1, 1, 0]})

    point = explorer_point(payload, threshold=0.9)

    assert point["best_baseline"] == "keyword rule"
    assert point["best_baseline_cost"] == 0.0 and point["saving"] < 0


def test_large_test_sets_are_sampled_and_say_so() -> None:
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, size=MAX_CASES + 500)

    payload = _payload(y.tolist(), rng.random(y.size).tolist())

    assert len(payload["scores"]) == MAX_CASES  # type: ignore[arg-type]
    assert payload["sampled"] is True and payload["cases_in_test_set"] == MAX_CASES + 500


def test_the_payload_is_plain_json() -> None:
    payload = _payload([0, 1], [np.float32(0.25), 0.75])

    assert json.loads(json.dumps(payload, allow_nan=False)) == payload


def test_misaligned_input_is_refused() -> None:
    with pytest.raises(ValueError, match="aligned"):
        _payload([0, 1], [0.5])
