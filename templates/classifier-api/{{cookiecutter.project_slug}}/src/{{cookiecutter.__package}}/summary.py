"""The words written from the numbers: the headline, the figure captions and the list of claims.

The README's first screen, the showcase card and the site all read ``headline`` from
``reports/metrics.json`` (CONTRACTS.md section 1), so it is written here, once, beside the
numbers. ``claims`` lists every comparison sentence of the report with the paired difference
it was worded from: a reviewer (or a test) can check each sentence's verb against the sign of
its interval without reading the code.
"""

from __future__ import annotations

from typing import Any

from .business import format_count
from .policies import Names, format_threshold, headline_items

__all__ = ["HERO_FIGURE", "claims", "figure_captions", "headline"]

HEADLINE_SCHEMA = 1
HERO_FIGURE = "cost"


def _names(results: dict[str, Any]) -> Names:
    costs = results["costs"]
    return Names(costs["positive_name"], costs["negative_name"], costs["case_name"])


def _best(business: dict[str, Any]) -> dict[str, Any]:
    return next(row for row in business["policies"] if row["key"] == business["best_baseline"])


def _cost_caption(results: dict[str, Any]) -> str:
    business = results["business"]
    threshold = format_threshold(business["thresholds"]["chosen"])
    unit = business["unit"]
    validation = business["validation"]
    model = business["policies"][0]
    best = _best(business)
    cost = format_count(validation["cost_at_chosen"])
    where = (
        f"the lowest point of the validation curve, {cost} {unit}"
        if validation["cost_at_chosen"] == validation["minimum_cost"]
        else f"at {cost} {unit} on validation"
    )
    return (
        f"The chosen threshold {threshold} is {where}; on the test set it costs "
        f"{format_count(model['cost_per_period'])}, and {best['phrase']} "
        f"{format_count(best['cost_per_period'])}."
    )


def _rate(values: dict[str, Any] | None) -> str:
    if values is None:
        return "undefined"
    return f"{values['estimate']:.3f} [{values['low']:.3f}, {values['high']:.3f}]"


def figure_captions(results: dict[str, Any]) -> dict[str, str]:
    """One takeaway line per figure, written from the numbers it shows."""
    test = results["test"]["metrics"]
    threshold = format_threshold(results["model"]["threshold"])
    cm = results["test"]["confusion_matrix"]
    negatives = cm["fp"] + cm["tn"]
    false_positive_rate = cm["fp"] / negatives if negatives else float("nan")
    recall = test["recall"]["estimate"] if test["recall"] else float("nan")
    precision = test["precision"]["estimate"] if test["precision"] else float("nan")
    calibration = results["calibration"]
    brier = test["brier"]["estimate"] if test["brier"] else float("nan")
    if calibration["kept"]:
        raw = calibration["test_brier"]["first"]["estimate"]
        calibrated = (
            f"Reliability on the test set, with Platt scaling fitted on validation: Brier score "
            f"{raw:.3f} before it, {brier:.3f} after."
        )
    else:
        calibrated = (
            f"Reliability on the test set of the uncalibrated scores (Brier score {brier:.3f}): "
            "cross-fitting on validation did not favour Platt scaling."
        )
    small = sorted(
        {
            str(entry["min_size"])
            for entry in results["subgroups"].values()
            if any(g["too_small"] for g in entry["groups"])
        }
    )
    subgroups = f"Recall and false positive rate per group at the threshold {threshold}" + (
        f"; † marks groups with fewer than {small[0]} positive or negative test cases, too "
        "few to compare."
        if small
        else "."
    )
    return {
        "cost": _cost_caption(results),
        "roc": (
            f"Test ROC-AUC {_rate(test['roc_auc'])}; the dot is the threshold {threshold}: "
            f"recall {recall:.3f} at a false positive rate of {false_positive_rate:.3f}."
        ),
        "precision_recall": (
            f"Test average precision {_rate(test['average_precision'])}; at the threshold "
            f"{threshold}, precision {precision:.3f} and recall {recall:.3f}."
        ),
        "calibration": calibrated,
        "subgroups": subgroups,
    }


def headline(results: dict[str, Any]) -> dict[str, Any]:
    """Return the ``headline`` object of ``reports/metrics.json`` (CONTRACTS.md section 1)."""
    business = results["business"]
    return {
        "schema": HEADLINE_SCHEMA,
        "baseline": _best(business)["phrase"],
        "items": headline_items(business, _names(results)),
        "figure": f"reports/figures/{HERO_FIGURE}.png",
        "figure_caption": results["figures"][HERO_FIGURE],
    }


def _claim(key: str, text: str, comparison: dict[str, Any]) -> dict[str, Any]:
    return {"key": key, "text": text, "difference": comparison["difference"]}


def claims(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Every comparison sentence the report writes, with the paired difference behind it.

    Differences are signed as their sentences read them: first minus second, where "first"
    is the model's side (a saving, a lower Brier score, a higher rate for the first group).
    """
    found = [
        _claim(f"saving_against_{row['key']}", row["text"], row["saving"])
        for row in results["business"]["policies"]
        if row["saving"] is not None
    ]
    calibration = results["calibration"]
    if calibration["validation_brier"] is not None:
        found.append(
            _claim("calibration_validation", calibration["text"], calibration["validation_brier"])
        )
    if calibration["test_brier"] is not None:
        found.append(
            _claim("calibration_test", calibration["test_text"], calibration["test_brier"])
        )
    for comparison in results["validation_comparisons"]:
        key = f"validation_{comparison['first']}_vs_{comparison['second']}"
        found.append(_claim(key, comparison["text"], comparison["comparison"]))
    for column, entry in results["subgroups"].items():
        for gap in entry["gaps"]:
            if gap["comparison"] is not None:
                found.append(
                    _claim(f"gap_{column}_{gap['metric']}", gap["text"], gap["comparison"])
                )
    return found
