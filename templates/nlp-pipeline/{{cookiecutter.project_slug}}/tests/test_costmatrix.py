import numpy as np
import pytest

from {{ cookiecutter.__package }}.config import CostConfig, LabelConfig
from {{ cookiecutter.__package }}.costmatrix import (
    confusion,
    cost_matrix,
    error_table,
    errors_markdown,
)

THREE = LabelConfig(map={"a": "Billing", "b": "Delivery", "c": "Technical"})


def test_two_classes_price_false_positives_and_negatives() -> None:
    labels = LabelConfig(map={"ham": "ham", "spam": "spam"}, positive="spam")
    costs = cost_matrix(CostConfig(false_positive=4.5, false_negative=0.5), labels)
    assert costs.classes == ("ham", "spam")
    np.testing.assert_array_equal(costs.matrix, [[0.0, 4.5], [0.5, 0.0]])
    assert costs.error_costs().false_positive == 4.5
    assert not costs.matrix.flags.writeable


def test_by_default_every_error_costs_the_same_and_the_most_probable_class_wins() -> None:
    costs = cost_matrix(CostConfig(), THREE)
    assert costs.uniform
    probabilities = np.array([[0.2, 0.5, 0.3], [0.4, 0.3, 0.3], [0.1, 0.1, 0.8]])
    assert costs.decide(probabilities).tolist() == [1, 0, 2]
    with pytest.raises(ValueError, match="no single positive class"):
        costs.error_costs()


def test_a_dear_error_moves_the_decision_to_the_cheaper_class() -> None:
    # Giving Billing to a Technical text costs 10: a text 40% likely Technical is not Billing.
    config = CostConfig(error=1.0, matrix={"Technical": {"Billing": 10.0}})
    costs = cost_matrix(config, THREE)
    assert not costs.uniform
    probabilities = np.array([[0.45, 0.15, 0.40]])
    # Expected costs: Billing 0.15 + 4.0 = 4.15, Delivery 0.85, Technical 0.60.
    assert costs.decide(probabilities).tolist() == [2]
    assert costs.total([2, 2, 0], [0, 1, 0]) == 11.0


def test_confusion_counts_true_by_given() -> None:
    matrix = confusion([0, 0, 1, 2, 2, 2], [0, 1, 1, 2, 0, 0], 3)
    assert matrix.tolist() == [[1, 1, 0], [0, 1, 0], [2, 0, 1]]


def test_error_table_counts_each_kind_of_error_dearest_first() -> None:
    costs = cost_matrix(CostConfig(error=1.0, matrix={"Technical": {"Billing": 10.0}}), THREE)
    y = np.array([0] * 50 + [1] * 30 + [2] * 20)
    given = y.copy()
    given[:5] = 1  # five Billing texts given Delivery
    given[80:82] = 0  # two Technical texts given Billing
    rows = error_table(y, given, costs)
    assert [(r["true"], r["predicted"], r["count"]) for r in rows] == [
        ("Technical", "Billing", 2),
        ("Billing", "Delivery", 5),
    ]
    assert rows[0]["per_n"] == 200.0
    assert rows[0]["cost_per_n"] == 2_000.0
    assert rows[1]["share_of_true"] == pytest.approx(0.1)
    table = errors_markdown(rows, "USD", "tickets")
    assert "Errors per 10,000 tickets" in table and "| Technical" in table
    first = next(line for line in table.splitlines() if line.startswith("| Technical"))
    # One format per kind: counts and costs per 10,000 whole, shares in %, prices as set.
    assert [cell.strip() for cell in first.split("|")[1:-1]] == [
        "Technical",
        "Billing",
        "200",
        "10.0%",
        "10",
        "2,000",
    ]
