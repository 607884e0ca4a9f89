import json

import pandas as pd
import pytest
from conftest import TrainedProject

from {{ cookiecutter.__package }}.evaluate import (
    SCORE_METRICS,
    THRESHOLD_METRICS,
)
from {{ cookiecutter.__package }}.uncertainty import (
    Difference,
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
    business = results["business"]
    model, default, everyone, no_one = business["policies"]
    assert [r["key"] for r in business["policies"]] == [
        "model",
        "model_at_default",
        "act_on_everyone",
        "act_on_no_one",
    ]
    expected = (cm["fp"] * costs["false_positive"] + cm["fn"] * costs["false_negative"]) / n
    assert model["cost_per_period"] == pytest.approx(expected * costs["per"])
    assert (model["false_positives"], model["false_negatives"]) == (cm["fp"], cm["fn"])
    assert everyone["false_negatives"] == 0 and no_one["false_positives"] == 0
    # Each saving is the other policy's cost minus the model's, the paired estimate included.
    for row in (default, everyone, no_one):
        saving = row["saving"]["difference"]["estimate"]
        assert saving == pytest.approx(row["cost_per_period"] - model["cost_per_period"])
    best = min((everyone, no_one), key=lambda r: r["cost_per_period"])
    assert business["best_baseline"] == best["key"]


def test_the_headline_follows_the_contract(results: dict) -> None:
    headline = results["headline"]
    assert headline["schema"] == 1 and 1 <= len(headline["items"]) <= 3
    saving = headline["items"][0]
    business = results["business"]
    best = next(r for r in business["policies"] if r["key"] == business["best_baseline"])
    assert saving["key"] == "saving_per_period"
    assert saving["text"] == best["text"] and headline["baseline"] == best["phrase"]
    assert saving["conclusive"] == best["saving"]["difference"]["conclusive"]
    for item in headline["items"]:
        assert item["low"] <= item["high"]
        assert set(item) == {
            *("key", "label", "estimate", "low", "high", "confidence"),
            *("unit", "conclusive", "text"),
        }
        assert 0 < item["confidence"] < 1 and item["text"]
        # A comparison says whether its paired interval excludes 0; a rate compares nothing.
        assert item["conclusive"] in (True, False, None)
    assert headline["figure"] == "reports/figures/cost.png"
    assert headline["figure_caption"] == results["figures"]["cost"]


def test_every_claim_is_worded_by_the_sign_of_its_interval(results: dict) -> None:
    assert results["claims"]
    for claim in results["claims"]:
        derived = ("conclusive", "units_to_settle")
        difference = Difference(
            **{k: v for k, v in claim["difference"].items() if k not in derived}
        )
        if difference.conclusive:
            assert "can show" not in claim["text"], claim
        else:
            assert "can show" in claim["text"], claim


def test_the_threshold_stability_and_cost_ratios_are_reported(results: dict) -> None:
    business = results["business"]
    stability = business["stability"]
    assert stability["low"] <= stability["high"]
    assert stability["validation_cases"] == results["data"]["rows"]["validation"]
    factors = [row["factor"] for row in business["sensitivity"]]
    assert factors == [0.5, 1.0, 2.0]
    configured = business["sensitivity"][1]
    assert configured["threshold"] == results["model"]["threshold"]
    assert configured["false_negative"] == results["costs"]["false_negative"]


def test_every_subgroup_is_listed_with_its_counts(results: dict) -> None:
    sex = results["subgroups"]["sex"]
    assert [g["group"] for g in sex["groups"]] == ["group one", "group two"]
    assert sum(g["cases"] for g in sex["groups"]) == results["test"]["rows"]
    assert sum(g["positives"] for g in sex["groups"]) == results["test"]["positives"]
    for g in sex["groups"]:
        assert g["positives"] + g["negatives"] == g["cases"]
        assert g["flagged_rate"] == pytest.approx(g["flagged"] / g["cases"])
    assert sex["min_size"] == results["evaluation"]["min_group_size"]


def test_calibration_is_reported_before_and_after(results: dict, trained: TrainedProject) -> None:
    calibration = results["calibration"]
    assert calibration["method"] in ("none", "sigmoid")
    assert calibration["validation_brier"] is not None
    bins = calibration["bins"]
    assert 3 <= len(bins) <= 10
    predicted = [b["predicted"] for b in bins]
    assert predicted == sorted(predicted)
    assert all(0 <= b["observed"] <= 1 for b in bins)
    scores = pd.read_parquet(trained.config.paths.processed / "test_scores.parquet")
    assert {"label", "score", "raw_score"} <= set(scores.columns)
    if calibration["kept"]:
        assert calibration["test_brier"] is not None
    else:
        assert (scores["score"] == scores["raw_score"]).all()
