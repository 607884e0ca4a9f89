"""Paired comparisons of decision policies, on constructed cases whose answer is known."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from {{cookiecutter.__package}}.costs import (
    ErrorCosts,
    best_threshold,
)
from {{cookiecutter.__package}}.policies import (
    Bootstrap,
    Names,
    Pricing,
    ScoredCases,
    analyse_policies,
    escape_braces,
    format_threshold,
    headline_items,
    policies_markdown,
    sensitivity_markdown,
    threshold_record_markdown,
)

NAMES = Names(positive="churners", negative="loyal customers", case="customers")
PRICING = Pricing(ErrorCosts(false_positive=10, false_negative=40), 1_000, "EUR", "month")
FAST = Bootstrap(n_resamples=300, seed=1)


def _separable(n: int, seed: int, *, noise: float) -> ScoredCases:
    """Cases whose scores separate the classes, blurred by ``noise``."""
    rng = np.random.default_rng(seed)
    labels = rng.random(n) < 0.3
    scores = np.clip(np.where(labels, 0.8, 0.2) + rng.normal(0, noise, n), 0, 1)
    return ScoredCases.of(labels.astype(int), scores)


def _analyse(validation: ScoredCases, test: ScoredCases, **options: Any) -> dict[str, Any]:
    threshold = options.pop(
        "threshold", best_threshold(validation.labels, validation.scores, PRICING.costs)
    )
    return analyse_policies(
        validation,
        test,
        threshold=threshold,
        pricing=options.pop("pricing", PRICING),
        names=options.pop("names", NAMES),
        bootstrap=FAST,
        **options,
    )


def _row(analysis: dict[str, Any], key: str) -> dict[str, Any]:
    return next(row for row in analysis["policies"] if row["key"] == key)


def test_a_clearly_better_model_saves_against_every_no_model_policy() -> None:
    analysis = _analyse(_separable(600, 0, noise=0.1), _separable(600, 1, noise=0.1))

    for key in ("act_on_everyone", "act_on_no_one"):
        row = _row(analysis, key)
        assert row["saving"]["difference"]["low"] > 0, key
        assert row["text"].startswith("The model saves "), row["text"]
    best = _row(analysis, analysis["best_baseline"])
    assert best["key"] == "act_on_everyone"  # 70% negatives at 10 against 30% positives at 40
    assert best["text"].endswith("EUR a month against acting on all customers.")


def test_two_identical_policies_cannot_show_a_saving() -> None:
    test = _separable(400, 2, noise=0.3)
    threshold = 0.45
    twin = {"the same model again": test.flagged(threshold)}

    analysis = _analyse(_separable(400, 3, noise=0.3), test, threshold=threshold, baselines=twin)

    row = _row(analysis, "the same model again")
    difference = row["saving"]["difference"]
    assert difference["low"] <= 0 <= difference["high"]
    assert not difference["conclusive"]
    assert row["text"].startswith("No saving against the same model again this test set can show")
    assert "saves" not in row["text"]


def test_a_baseline_that_beats_the_model_is_named_as_the_winner() -> None:
    # Scores carry no information, 2% are positive and a false alarm costs as much as half a
    # miss: acting on no one costs 0.02 * 40 = 0.8 a case; a model flagging 70% at random
    # costs about 0.7 * 0.98 * 10 = 6.9 a case.
    rng = np.random.default_rng(4)
    labels = (rng.random(2_000) < 0.02).astype(int)
    test = ScoredCases.of(labels, rng.random(2_000))
    pricing = Pricing(ErrorCosts(false_positive=10, false_negative=40), 1_000, "EUR", "month")

    analysis = _analyse(test, test, threshold=0.3, pricing=pricing)

    assert analysis["best_baseline"] == "act_on_no_one"
    winner = _row(analysis, "act_on_no_one")
    assert winner["saving"]["difference"]["high"] < 0
    assert winner["text"].startswith("Acting on none of the customers is cheaper: the model costs ")
    item = headline_items(analysis, NAMES)[0]
    assert item["text"] == winner["text"] and item["conclusive"] is True
    assert item["high"] < 0


def test_a_rule_baseline_takes_part_and_can_be_the_best() -> None:
    test = _separable(500, 5, noise=0.35)
    # A rule that knows the answer: the cheapest policy there is.
    oracle = {"the keyword rule": test.labels.copy()}

    analysis = _analyse(_separable(500, 6, noise=0.35), test, baselines=oracle)

    assert analysis["best_baseline"] == "the keyword rule"
    rule = _row(analysis, "the keyword rule")
    assert rule["cost_per_period"] == 0
    assert rule["text"].startswith("The keyword rule is cheaper: the model costs ")


def test_the_paired_interval_is_narrower_than_the_marginal_ones() -> None:
    # The model and acting on everyone make the same decision on most cases, so their costs
    # move together from resample to resample: their difference is far more precise than
    # either cost alone.
    analysis = _analyse(
        _separable(800, 7, noise=0.1), _separable(800, 8, noise=0.1), threshold=0.05
    )

    saving = _row(analysis, "act_on_everyone")["saving"]
    width = {k: saving[k]["high"] - saving[k]["low"] for k in ("first", "second", "difference")}
    assert width["difference"] < 0.75 * min(width["first"], width["second"])


def test_the_default_threshold_is_compared_paired_unless_it_is_the_choice() -> None:
    validation, test = _separable(300, 9, noise=0.25), _separable(300, 10, noise=0.25)

    compared = _row(_analyse(validation, test, threshold=0.3), "model_at_default")
    itself = _row(_analyse(validation, test, threshold=0.5), "model_at_default")

    assert compared["saving"] is not None
    assert "the default 0.5" in compared["text"]
    assert itself["saving"] is None
    assert itself["text"] == "The threshold chosen on validation is the default 0.5 itself."


def test_stability_and_sensitivity_rechoose_the_threshold_on_validation() -> None:
    validation, test = _separable(300, 11, noise=0.3), _separable(300, 12, noise=0.3)

    analysis = _analyse(validation, test)

    stability = analysis["stability"]
    assert stability["low"] <= stability["high"]
    assert stability["validation_cases"] == 300
    halved, configured, doubled = analysis["sensitivity"]
    assert (halved["false_negative"], doubled["false_negative"]) == (20, 80)
    assert configured["threshold"] == analysis["thresholds"]["chosen"]
    expected = best_threshold(validation.labels, validation.scores, ErrorCosts(10, 80))
    assert doubled["threshold"] == expected
    # Misses dearer, the bar lower.
    assert doubled["threshold"] <= configured["threshold"] <= halved["threshold"]
    assert analysis["validation"]["cost_at_chosen"] == analysis["validation"]["minimum_cost"]


def test_the_headline_has_the_saving_then_both_errors_per_ten_thousand() -> None:
    analysis = _analyse(_separable(400, 13, noise=0.2), _separable(400, 14, noise=0.2))

    items = headline_items(analysis, NAMES)

    assert [i["key"] for i in items] == [
        "saving_per_period",
        "false_positives_per_10k",
        "false_negatives_per_10k",
    ]
    model = _row(analysis, "model")
    assert items[1]["estimate"] == pytest.approx(model["false_positives_per_10k"])
    assert items[2]["estimate"] == pytest.approx(model["false_negatives_per_10k"])
    assert items[1]["label"] == "Loyal customers acted on, per 10,000 customers"
    for item in items:
        assert {"key", "label", "estimate", "low", "high", "confidence", "unit", "text"} <= set(
            item
        )


def test_names_with_braces_are_written_literally() -> None:
    names = Names(positive="{churners}", negative="loyal {x}", case="{0} customers")
    analysis = _analyse(_separable(200, 15, noise=0.2), _separable(200, 16, noise=0.2), names=names)

    assert "{0} customers" in _row(analysis, "act_on_everyone")["text"]
    assert escape_braces("{a}") == "{" * 2 + "a" + "}" * 2


def test_the_tables_stay_within_eight_columns() -> None:
    analysis = _analyse(_separable(300, 17, noise=0.3), _separable(300, 18, noise=0.3))

    for table in (policies_markdown(analysis), sensitivity_markdown(analysis)):
        header = table.splitlines()[0]
        assert header.count("|") - 1 <= 8
    record = threshold_record_markdown(analysis)
    assert _row(analysis, "model_at_default")["text"] in record


def test_a_threshold_above_every_score_reads_as_acting_on_no_one() -> None:
    assert format_threshold(float(np.nextafter(1.0, 2.0))) == "above every score (acts on no one)"
    assert format_threshold(0.2321) == "0.232"
