import numpy as np
import pandas as pd
from fairlearn.metrics import demographic_parity_difference

from {{ cookiecutter.__package }}.analysis import (
    confused_pairs,
    fairness_differences,
    length_bins,
    subgroup_metrics,
)
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


OPTIONS = {"items": "messages", "resamples": 200, "seed": 0}


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
    rows = {
        (r["attribute"], r["group"]): r
        for r in subgroup_metrics(frame, y, given, costs, bins, min_size=1, **OPTIONS)
    }
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
        frame,
        np.array([0, 1, 2]),
        np.array([0, 1, 0]),
        costs,
        [(-np.inf, np.inf, "all")],
        min_size=1,
        **OPTIONS,
    )
    assert rows[0]["accuracy"] == 2 / 3
    assert rows[0]["cost_per_10k"] == 10_000
    assert "precision" not in rows[0]
    assert [(r["attribute"], r["group"]) for r in rows] == [
        ("length", "all"),
        ("link or e-mail address", "absent"),
        ("number", "absent"),
    ]


def _linked(n_with: int, n_without: int, errors_with: int, errors_without: int):
    """Messages with and without a link, with the errors of each group at the front."""
    has_url = np.r_[np.ones(n_with, dtype=bool), np.zeros(n_without, dtype=bool)]
    frame = pd.DataFrame(
        {"length": np.full(has_url.size, 50), "has_url": has_url, "has_number": False}
    )
    y = np.zeros(has_url.size, dtype=np.int64)
    given = y.copy()
    given[:errors_with] = 1
    given[n_with : n_with + errors_without] = 1
    labels = LabelConfig(map={"ham": "ham", "spam": "spam"}, positive="spam")
    costs = cost_matrix(CostConfig(false_positive=1.0, false_negative=1.0), labels)
    rows = subgroup_metrics(
        frame, y, given, costs, [(-np.inf, np.inf, "all")], min_size=30, **OPTIONS
    )
    return {(r["attribute"], r["group"]): r for r in rows}


def test_a_small_group_is_marked_and_compared_with_nothing() -> None:
    rows = _linked(4, 200, 0, 20)
    small = rows[("link or e-mail address", "present")]
    assert small["small"] and small["gap"] is None and "sentence" not in small
    # Its complement is big, but the rest it would be compared with is the small group.
    assert rows[("link or e-mail address", "absent")]["gap"] is None


def test_a_clear_gap_between_groups_is_stated_once_from_its_own_interval() -> None:
    rows = _linked(100, 100, 40, 2)
    present = rows[("link or e-mail address", "present")]
    absent = rows[("link or e-mail address", "absent")]
    assert present["gap"]["low"] > 0 and present["gap"]["conclusive"]
    assert present["sentence"].startswith("Messages with a link or e-mail address cost 3,800 [")
    assert "more than the other messages" in present["sentence"]
    # The second group's gap is the same comparison mirrored: shown, not stated twice.
    assert absent["gap"]["estimate"] == -present["gap"]["estimate"]
    assert "sentence" not in absent


def test_no_gap_is_claimed_between_groups_that_err_alike() -> None:
    present = _linked(100, 100, 10, 10)[("link or e-mail address", "present")]
    assert present["gap"]["low"] <= 0 <= present["gap"]["high"]
    assert present["sentence"].startswith("This test set cannot show that messages with a link")


def test_fairness_differences_are_fairleans_with_an_interval_and_skip_thin_groups() -> None:
    rng = np.random.default_rng(7)
    n = 400
    has_url = rng.random(n) < 0.5
    y = (rng.random(n) < 0.4).astype(np.int64)
    # Texts with a link are flagged far more often, whatever their class.
    given = (rng.random(n) < np.where(has_url, 0.8, 0.2)).astype(np.int64)
    frame = pd.DataFrame({"length": np.full(n, 10), "has_url": has_url, "has_number": False})
    bins = [(-np.inf, np.inf, "all")]
    entries = {
        e["attribute"]: e
        for e in fairness_differences(frame, y, given, bins, min_size=30, per_class=20, **OPTIONS)
    }
    link = {d["name"]: d for d in entries["link or e-mail address"]["differences"]}
    parity = link["demographic_parity"]
    groups = np.where(has_url, "present", "absent")
    assert parity["estimate"] == demographic_parity_difference(y, given, sensitive_features=groups)
    assert 0.45 < parity["low"] <= parity["estimate"] <= parity["high"] < 0.75
    assert link["equalized_odds"]["estimate"] >= parity["low"]
    # One length group and one number group ("absent" only): nothing to compare.
    assert entries["length"]["note"] and entries["length"]["differences"] == []
    assert entries["number"]["note"]
    # A group with fewer positives than per_class takes no part.
    thin = fairness_differences(frame, y, given, bins, min_size=30, per_class=n, **OPTIONS)
    assert all(entry["differences"] == [] for entry in thin)
