import json

import numpy as np
import pandas as pd
import pytest
from conftest import TrainedProject

from {{ cookiecutter.__package }}.evaluate import (
    MIN_COUNT,
    SCORE_METRICS,
    THRESHOLD_METRICS,
    subgroup_report,
)


@pytest.fixture(scope="module")
def results(trained: TrainedProject) -> dict:
    return json.loads((trained.config.paths.reports / "metrics.json").read_text(encoding="utf-8"))


def test_every_metric_has_a_bootstrap_interval(results: dict) -> None:
    metrics = results["test"]["metrics"]
    assert set(metrics) == set(SCORE_METRICS) | set(THRESHOLD_METRICS)
    for name, value in metrics.items():
        assert value is not None, name
        assert value["low"] <= value["high"], name
        assert value["confidence"] == 0.95
    roc = metrics["roc_auc"]
    assert 0.5 < roc["low"] <= roc["estimate"] <= roc["high"] <= 1


def test_the_confusion_matrix_counts_every_test_case(results: dict) -> None:
    cm = results["test"]["confusion_matrix"]
    assert sum(cm.values()) == results["test"]["rows"] == results["data"]["rows"]["test"]
    assert cm["tp"] + cm["fn"] == results["test"]["positives"]


def test_the_business_table_prices_the_errors_per_period(results: dict) -> None:
    cm = results["test"]["confusion_matrix"]
    costs = results["costs"]
    n = results["test"]["rows"]
    model, everyone, no_one = results["business"]
    assert [model["policy"], everyone["policy"], no_one["policy"]] == [
        "model",
        "act_on_everyone",
        "act_on_no_one",
    ]
    expected = (cm["fp"] * costs["false_positive"] + cm["fn"] * costs["false_negative"]) / n
    assert model["expected_cost"] == pytest.approx(expected * costs["per"])
    assert everyone["false_negatives"] == 0
    assert no_one["false_positives"] == 0


def test_every_subgroup_is_listed_with_its_counts(results: dict) -> None:
    sex = results["subgroups"]["sex"]
    assert [g["group"] for g in sex["groups"]] == ["group one", "group two"]
    assert sum(g["cases"] for g in sex["groups"]) == results["test"]["rows"]
    assert sum(g["positives"] for g in sex["groups"]) == results["test"]["positives"]
    for g in sex["groups"]:
        assert g["positives"] + g["negatives"] == g["cases"]
        assert g["flagged_rate"] == pytest.approx(g["flagged"] / g["cases"])


def test_the_largest_gap_is_the_widest_comparable_rate() -> None:
    # Group a: 40 cases, 20 positive, all flagged. Group b: 40 cases, 20 positive, only 10
    # positives flagged. Recall 1.0 against 0.5, false positive rate 1.0 against 0.0 (the
    # widest), flagged rate 1.0 against 0.25; b's precision rests on 10 flagged cases only.
    y = np.array([1] * 20 + [0] * 20 + [1] * 20 + [0] * 20)
    scores = np.array([0.9] * 40 + [0.9] * 10 + [0.1] * 30)
    groups = pd.DataFrame({"g": ["a"] * 40 + ["b"] * 40})
    gap = subgroup_report(y, scores, 0.5, groups)["g"]["largest_gap"]
    assert gap["metric"] == "false_positive_rate"
    assert gap["gap"] == pytest.approx(1.0)
    assert (gap["highest"]["group"], gap["lowest"]["group"]) == ("a", "b")
    # Shrink group b below MIN_COUNT cases: it is still listed, but no longer compared.
    small = subgroup_report(y[:50], scores[:50], 0.5, groups.iloc[:50])["g"]
    assert [g["group"] for g in small["groups"]] == ["a", "b"]
    assert small["largest_gap"] is None
    assert MIN_COUNT > 10


def test_calibration_bins_cover_the_scores(results: dict) -> None:
    bins = results["calibration"]
    assert 3 <= len(bins) <= 10
    predicted = [b["predicted"] for b in bins]
    assert predicted == sorted(predicted)
    assert all(0 <= b["observed"] <= 1 for b in bins)
