"""Per-group rates, fairlearn's differences with intervals, and paired gaps between groups."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

# Every template with this layer evaluates subgroups with fairlearn; one that has not
# declared it yet skips this module rather than failing to import it.
pytest.importorskip("fairlearn", reason="fairlearn is not installed in this project")

from fairlearn.metrics import (  # noqa: E402
    demographic_parity_difference,
    equalized_odds_difference,
)

from {{cookiecutter.__package}}.policies import (  # noqa: E402
    Bootstrap,
)
from {{cookiecutter.__package}}.subgroups import (  # noqa: E402
    SMALL_MARK,
    demographic_parity,
    equalized_odds,
    subgroup_report,
    subgroups_markdown,
)

FAST = Bootstrap(n_resamples=300, seed=2)


def _population(sizes: dict[str, int], recall: dict[str, float], seed: int) -> pd.DataFrame:
    """Cases per group, half positive, flagged so that each group has the given recall."""
    rng = np.random.default_rng(seed)
    frames = []
    for group, n in sizes.items():
        label = np.arange(n) % 2
        caught = rng.random(n) < recall[group]
        flagged_negative = rng.random(n) < 0.2
        flagged = np.where(label == 1, caught, flagged_negative)
        frames.append(pd.DataFrame({"group": group, "label": label, "score": flagged * 0.8 + 0.1}))
    return pd.concat(frames, ignore_index=True)


def _report(cases: pd.DataFrame, min_size: int = 20) -> dict:
    return subgroup_report(
        cases["label"], cases["score"], 0.5, cases[["group"]], min_size=min_size, bootstrap=FAST
    )["group"]


def test_the_fast_differences_equal_fairlearns_own() -> None:
    rng = np.random.default_rng(0)
    for _ in range(20):
        n = int(rng.integers(40, 400))
        groups = rng.choice(["a", "b", "c", "d"], n)
        labels = rng.integers(0, 2, n)
        flagged = rng.integers(0, 2, n)
        codes = pd.Categorical(groups, categories=["a", "b", "c", "d"]).codes
        kwargs = {"sensitive_features": groups}
        assert demographic_parity(labels, flagged, codes, 4) == pytest.approx(
            demographic_parity_difference(labels, flagged, **kwargs)
        )
        assert equalized_odds(labels, flagged, codes, 4) == pytest.approx(
            equalized_odds_difference(labels, flagged, **kwargs)
        )


def test_a_group_without_positives_makes_equalized_odds_undefined() -> None:
    assert np.isnan(equalized_odds([0, 0, 1, 1], [0, 1, 0, 1], [0, 0, 1, 1], 2))


def test_a_clear_gap_is_stated_and_a_small_group_is_marked_and_left_out() -> None:
    cases = _population(
        {"north": 600, "south": 600, "islands": 8},
        {"north": 0.9, "south": 0.4, "islands": 1.0},
        seed=1,
    )

    report = _report(cases)

    rows = {row["group"]: row for row in report["groups"]}
    assert rows["islands"]["too_small"] and rows["islands"]["recall"] == 1.0
    assert report["compared"] == ["north", "south"]
    recall = next(gap for gap in report["gaps"] if gap["metric"] == "recall")
    assert (recall["highest"]["group"], recall["lowest"]["group"]) == ("north", "south")
    assert recall["comparison"]["difference"]["low"] > 0
    assert recall["text"].startswith(
        "Recall is higher for group = north than for group = south by "
    )
    names = {d["name"]: d for d in report["differences"]}
    # Both groups flag a fifth of their negatives: the recall gap is the larger one.
    assert names["equalized_odds"]["estimate"] == pytest.approx(
        rows["north"]["recall"] - rows["south"]["recall"]
    )
    table = subgroups_markdown({"group": report})
    assert f"| islands {SMALL_MARK} " in table
    assert "too few to compare" in table


def test_groups_treated_alike_show_no_gap() -> None:
    cases = _population({"a": 120, "b": 120}, {"a": 0.6, "b": 0.6}, seed=3)

    report = _report(cases)

    for gap in report["gaps"]:
        difference = gap["comparison"]["difference"]
        if difference["low"] <= 0 <= difference["high"]:
            assert "this test set can show" in gap["text"], gap["text"]
    recall = next(gap for gap in report["gaps"] if gap["metric"] == "recall")
    assert not recall["comparison"]["difference"]["conclusive"]


def test_fewer_than_two_comparable_groups_state_no_gap() -> None:
    cases = _population({"big": 300, "tiny": 10}, {"big": 0.7, "tiny": 0.7}, seed=4)

    report = _report(cases)

    assert report["compared"] == ["big"]
    assert report["gaps"] == [] and report["differences"] == []
    assert "no gap between groups is stated" in report["note"]


def test_the_minimum_size_is_the_callers_choice() -> None:
    cases = _population({"a": 60, "b": 60}, {"a": 0.8, "b": 0.5}, seed=5)

    assert _report(cases, min_size=20)["compared"] == ["a", "b"]
    assert _report(cases, min_size=31)["compared"] == []


def test_the_group_table_has_at_most_eight_columns() -> None:
    cases = _population({"a": 80, "b": 80}, {"a": 0.7, "b": 0.6}, seed=6)

    header = subgroups_markdown({"group": _report(cases)}).split("\n")[2]

    assert header.startswith("| group ") and header.count("|") - 1 == 8
