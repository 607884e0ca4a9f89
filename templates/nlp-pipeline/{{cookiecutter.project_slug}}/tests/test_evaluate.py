import numpy as np

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
}


def test_the_two_class_evaluation_is_complete(evaluation: Evaluation) -> None:
    metrics = evaluation.metrics
    assert set(metrics) == SECTIONS
    assert metrics["classes"] == ["ham", "spam"]
    assert metrics["model"]["decision"]["rule"] == "threshold"
    assert set(metrics["comparison"]) == {"model", "model_at_default", "majority", "keywords"}
    # With a false positive nine times dearer, the cheapest no-model policy flags nothing.
    assert metrics["comparison"]["majority"]["positive_f1"] == 0.0
    assert (
        metrics["test"]["per_class"]["spam"]["f1"]["estimate"]
        > metrics["comparison"]["keywords"]["positive_f1"]
    )
    assert [row["policy"] for row in metrics["business"]["policies"]] == [
        "model",
        "act_on_everyone",
        "act_on_no_one",
    ]
    assert 0.0 < metrics["test"]["average_precision"] <= 1.0
    assert {(p["true"], p["predicted"]) for p in metrics["errors"]} <= {
        ("ham", "spam"),
        ("spam", "ham"),
    }


def test_the_confusion_matrix_matches_the_predictions(evaluation: Evaluation) -> None:
    matrix = np.array(evaluation.metrics["test"]["confusion"])
    assert matrix.sum() == evaluation.y_test.size == evaluation.metrics["test"]["texts"]
    np.testing.assert_array_equal(
        np.diag(matrix).sum(), np.sum(evaluation.predictions["model"] == evaluation.y_test)
    )


def test_every_compared_policy_keeps_its_test_predictions(evaluation: Evaluation) -> None:
    for name, predicted in evaluation.predictions.items():
        assert predicted.shape == evaluation.y_test.shape, name
        assert name in evaluation.metrics["comparison"]


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
    assert "model_at_default" in metrics["comparison"]
    assert (
        metrics["comparison"]["model"]["cost_per_10k"]
        <= metrics["comparison"]["model_at_default"]["cost_per_10k"]
    )
    errors = metrics["business"]["errors"]
    assert errors and all(row["true"] != row["predicted"] for row in errors)
    assert [row["policy"] for row in metrics["business"]["policies"]] == ["model", "best_constant"]
    assert metrics["business"]["policies"][0]["saving"] > 0
    assert set(metrics["features"]) == {"Billing", "Delivery", "Technical"}
    pairs = metrics["errors"]
    assert pairs and pairs == sorted(pairs, key=lambda p: -p["count"])
    assert all(p["examples"] for p in pairs)
    assert metrics["data"]["dropped_rows"] == {"9": 6}
