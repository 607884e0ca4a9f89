import numpy as np
import pandas as pd
import pytest

from {{ cookiecutter.__package }}.evaluate import Evaluation, class_metrics, subgroup_metrics


def test_class_metrics_match_hand_counts() -> None:
    y = np.array([1, 1, 1, 0, 0, 0, 0, 0] * 10)
    p = np.array([1, 1, 0, 1, 0, 0, 0, 0] * 10)
    metrics = class_metrics(y, p, {1: "spam", 0: "ham"}, resamples=200, seed=0)
    spam = metrics["per_class"]["spam"]
    assert spam["precision"]["estimate"] == pytest.approx(2 / 3)
    assert spam["recall"]["estimate"] == pytest.approx(2 / 3)
    assert spam["support"] == 30
    ham_f1 = metrics["per_class"]["ham"]["f1"]["estimate"]
    assert ham_f1 == pytest.approx(0.8)
    assert metrics["macro_f1"]["estimate"] == pytest.approx((2 / 3 + 0.8) / 2)
    assert spam["f1"]["low"] <= spam["f1"]["estimate"] <= spam["f1"]["high"]


def test_undefined_precision_has_no_interval() -> None:
    y = np.array([0, 0, 1, 0])
    p = np.zeros(4, dtype=int)
    spam = class_metrics(y, p, {1: "spam", 0: "ham"}, resamples=100, seed=0)["per_class"]["spam"]
    assert spam["precision"] == {"estimate": None, "low": None, "high": None}


def test_subgroups_count_errors_per_10k() -> None:
    frame = pd.DataFrame(
        {
            "length": [10, 20, 100, 200],
            "has_url": [False, False, True, True],
            "has_number": [False, True, True, True],
        }
    )
    y = np.array([0, 0, 1, 1])
    p = np.array([1, 0, 1, 0])
    rows = {(r["attribute"], r["group"]): r for r in subgroup_metrics(frame, y, p)}
    short = rows[("length", "up to 60 characters")]
    assert short["messages"] == 2
    assert short["false_positives_per_10k"] == 5000
    assert short["recall"] is None
    assert rows[("URL or e-mail", "present")]["false_negatives_per_10k"] == 5000


def test_sample_evaluation_is_complete(evaluation: Evaluation) -> None:
    metrics = evaluation.metrics
    assert set(metrics) >= {
        "data",
        "model",
        "test",
        "comparison",
        "business",
        "errors",
        "features",
        "subgroups",
    }
    assert set(metrics["comparison"]) == {"model", "model_at_0.5", "majority", "keywords"}
    # With a false positive ten times dearer, the cheapest no-model policy flags nothing.
    assert metrics["comparison"]["majority"]["spam_f1"] == 0.0
    assert (
        metrics["test"]["per_class"]["spam"]["f1"]["estimate"]
        > metrics["comparison"]["keywords"]["spam_f1"]
    )
    assert [row["policy"] for row in metrics["business"]] == [
        "model",
        "act_on_everyone",
        "act_on_no_one",
    ]
    assert "Chosen by expected cost" in evaluation.threshold_table
