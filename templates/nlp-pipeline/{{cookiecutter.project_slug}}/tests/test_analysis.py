import numpy as np
import pandas as pd

from {{ cookiecutter.__package }}.analysis import confused_pairs, length_bins, subgroup_metrics
from {{ cookiecutter.__package }}.config import CostConfig, LabelConfig
from {{ cookiecutter.__package }}.costmatrix import cost_matrix


def test_confused_pairs_come_most_frequent_first_with_the_surest_mistakes() -> None:
    frame = pd.DataFrame({"origin": [f"line {i}" for i in range(6)], "text": list("abcdef")})
    y = np.array([0, 0, 0, 1, 1, 2])
    given = np.array([1, 1, 0, 2, 1, 0])
    probabilities = np.array(
        [[0.4, 0.6, 0.0], [0.1, 0.9, 0.0], [0.8, 0.1, 0.1], [0.0, 0.3, 0.7], [0, 1, 0], [1, 0, 0]]
    )
    pairs = confused_pairs(frame, y, given, probabilities, ("A", "B", "C"), pairs=2, examples=5)
    assert [(p["true"], p["predicted"], p["count"]) for p in pairs] == [
        ("A", "B", 2),
        ("B", "C", 1),
    ]
    assert [e["text"] for e in pairs[0]["examples"]] == ["b", "a"]
    assert pairs[0]["examples"][0]["confidence"] == 0.9
    assert pairs[0]["share_of_true"] == 2 / 3


def test_length_bins_cut_the_corpus_into_thirds() -> None:
    bins = length_bins(np.arange(1, 301))
    assert [name for _, _, name in bins] == [
        "up to 100 characters",
        "101 to 200 characters",
        "over 200 characters",
    ]
    assert len(length_bins([5] * 10)) == 2


def test_subgroups_count_errors_per_10k() -> None:
    frame = pd.DataFrame(
        {
            "length": [10, 20, 100, 200],
            "has_url": [False, False, True, True],
            "has_number": [False, True, True, True],
        }
    )
    labels = LabelConfig(map={"ham": "ham", "spam": "spam"}, positive="spam")
    costs = cost_matrix(CostConfig(false_positive=2.0, false_negative=1.0), labels)
    y = np.array([0, 0, 1, 1])
    given = np.array([1, 0, 1, 0])
    bins = [(-np.inf, 50, "short"), (50, np.inf, "long")]
    rows = {(r["attribute"], r["group"]): r for r in subgroup_metrics(frame, y, given, costs, bins)}
    short = rows[("length", "short")]
    assert short["count"] == 2
    assert short["false_positives_per_10k"] == 5000
    assert short["cost_per_10k"] == 10_000
    assert short["recall"] is None
    assert rows[("link or e-mail address", "present")]["false_negatives_per_10k"] == 5000


def test_subgroups_with_more_classes_report_accuracy_and_cost() -> None:
    frame = pd.DataFrame(
        {"length": [10, 20, 30], "has_url": [False] * 3, "has_number": [False] * 3}
    )
    costs = cost_matrix(CostConfig(error=3.0), LabelConfig(map={"a": "A", "b": "B", "c": "C"}))
    rows = subgroup_metrics(
        frame, np.array([0, 1, 2]), np.array([0, 1, 0]), costs, [(-np.inf, np.inf, "all")]
    )
    assert rows[0]["accuracy"] == 2 / 3
    assert rows[0]["cost_per_10k"] == 10_000
    assert "precision" not in rows[0]
    assert [(r["attribute"], r["group"]) for r in rows] == [
        ("length", "all"),
        ("link or e-mail address", "absent"),
        ("number", "absent"),
    ]
