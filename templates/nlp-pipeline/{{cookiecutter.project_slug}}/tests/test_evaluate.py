import numpy as np

from {{ cookiecutter.__package }}.comparisons import case_costs
from {{ cookiecutter.__package }}.evaluate import Evaluation

SECTIONS = {
    "data",
    "classes",
    "model",
    "test",
    "comparison",
    "business",
    "errors",
    "features",
    "subgroups",
    "fairness",
    "headline",
}


def _rows(metrics: dict) -> dict[str, dict]:
    return {row["policy"]: row for row in metrics["comparison"]["policies"]}


def test_the_two_class_evaluation_is_complete(evaluation: Evaluation) -> None:
    metrics = evaluation.metrics
    assert set(metrics) == SECTIONS
    assert metrics["classes"] == ["ham", "spam"]
    decision = metrics["model"]["decision"]
    assert decision["rule"] == "threshold"
    rows = _rows(metrics)
    assert list(rows)[0] == "model"
    assert {"keywords", "act_on_no_one", "act_on_everyone"} <= set(rows)
    # With a false positive nine times dearer, flagging everything is the dearest policy.
    assert rows["act_on_everyone"]["cost_per_10k"] == max(r["cost_per_10k"] for r in rows.values())
    assert rows["act_on_no_one"]["positive_f1"] == 0.0
    probabilities = metrics["test"]["probabilities"]
    for name in ("brier", "roc_auc", "average_precision"):
        value = probabilities[name]
        assert value["low"] <= value["estimate"] <= value["high"], name
    assert {(p["true"], p["predicted"]) for p in metrics["errors"]} <= {
        ("ham", "spam"),
        ("spam", "ham"),
    }
    assert decision["stability"]["low"] <= decision["stability"]["high"]
    assert [row["factor"] for row in decision["sensitivity"]] == [1.0, 0.5, 2.0]


def test_the_costs_compared_are_those_of_the_predictions_kept(evaluation: Evaluation) -> None:
    rows = _rows(evaluation.metrics)
    for name, predicted in evaluation.predictions.items():
        assert predicted.shape == evaluation.y_test.shape, name
        cost = case_costs(evaluation.costs, evaluation.y_test, predicted).mean() * 10_000
        np.testing.assert_allclose(rows[name]["cost_per_10k"], cost, err_msg=name)
    model = rows["model"]["cost_per_10k"]
    for name, row in rows.items():
        if name != "model":
            np.testing.assert_allclose(row["saving"]["estimate"], row["cost_per_10k"] - model)


def test_the_best_baseline_is_the_cheapest_one(evaluation: Evaluation) -> None:
    comparison = evaluation.metrics["comparison"]
    baselines = [row for row in comparison["policies"] if row["baseline"]]
    cheapest = min(baselines, key=lambda row: row["cost_per_10k"])
    assert comparison["best_baseline"] == cheapest["policy"]
    headline = evaluation.metrics["headline"]
    assert headline["schema"] == 1 and 1 <= len(headline["items"]) <= 3
    first = headline["items"][0]
    assert first["key"] == "saving_vs_best_baseline"
    assert first["text"] == cheapest["sentence"]
    assert (first["estimate"], first["low"], first["high"]) == (
        cheapest["saving"]["estimate"],
        cheapest["saving"]["low"],
        cheapest["saving"]["high"],
    )


def test_the_confusion_matrix_matches_the_predictions(evaluation: Evaluation) -> None:
    matrix = np.array(evaluation.metrics["test"]["confusion"])
    assert matrix.sum() == evaluation.y_test.size == evaluation.metrics["test"]["texts"]
    np.testing.assert_array_equal(
        np.diag(matrix).sum(), np.sum(evaluation.predictions["model"] == evaluation.y_test)
    )


def test_the_misclassified_texts_come_surest_first(evaluation: Evaluation) -> None:
    wrong = evaluation.misclassified()
    assert len(wrong) == int(np.sum(evaluation.predictions["model"] != evaluation.y_test))
    assert all(row["true"] != row["given"] for row in wrong)
    scores = [row["score"] for row in wrong]
    assert scores == sorted(scores, reverse=True)


def test_the_recalibration_is_reported_on_the_test_set(evaluation: Evaluation) -> None:
    calibration = evaluation.metrics["test"]["calibration"]
    assert calibration["validation"]["difference"]["n"] == evaluation.y_validation.size
    assert calibration["test"]["difference"]["n"] == evaluation.y_test.size
    assert evaluation.recalibrated is not None
    if not calibration["applied"]:
        np.testing.assert_array_equal(evaluation.probabilities, evaluation.raw_probabilities)


def test_the_three_class_evaluation_prices_each_kind_of_error(
    topics_evaluation: Evaluation,
) -> None:
    metrics = topics_evaluation.metrics
    assert set(metrics) == SECTIONS
    assert metrics["classes"] == ["Billing", "Delivery", "Technical"]
    assert metrics["model"]["decision"] == {"rule": "lowest expected cost"}
    assert set(metrics["test"]["per_class"]) == {"Billing", "Delivery", "Technical"}
    for value in (*metrics["test"]["macro"].values(), metrics["test"]["micro_f1"]):
        assert value["low"] <= value["estimate"] <= value["high"]
    # The matrix prices Technical given Billing at 10: the cost-aware rule differs from argmax.
    rows = _rows(metrics)
    assert set(rows) == {"model", "model_at_default", "keywords", "majority"}
    assert rows["model"]["cost_per_10k"] <= rows["model_at_default"]["cost_per_10k"]
    # Every comparison of cost is paired, for three classes as for two.
    texts = metrics["test"]["texts"]
    assert all(row["saving"]["n"] == texts for key, row in rows.items() if key != "model")
    per_class = metrics["test"]["per_class_against_best_baseline"]
    assert [row["class"] for row in per_class] == ["Billing", "Delivery", "Technical"]
    assert all(row["difference"]["n"] == metrics["test"]["texts"] for row in per_class)
    errors = metrics["business"]["errors"]
    assert errors and all(row["true"] != row["predicted"] for row in errors)
    assert set(metrics["features"]) == {"Billing", "Delivery", "Technical"}
    pairs = metrics["errors"]
    assert pairs and pairs == sorted(pairs, key=lambda p: -p["count"])
    assert all(p["examples"] for p in pairs)
    assert metrics["data"]["dropped_rows"] == {"9": 6}
    assert [item["key"] for item in metrics["headline"]["items"]][:2] == [
        "saving_vs_best_baseline",
        "errors_per_10k",
    ]
    assert metrics["model"]["tuning"]["chosen"] in (3.0, 30.0)
