import numpy as np
import pandas as pd
import pytest

from {{ cookiecutter.__package }}.split import SplitError, split_groups


def _frame(n: int = 1000, positive_every: int = 8, group_size: int = 3) -> pd.DataFrame:
    y = (np.arange(n) % positive_every == 0).astype(np.int64)
    # Groups never mix labels here: every third message of a class shares a group.
    groups = np.where(
        y == 1, np.arange(n) // (positive_every * group_size), 10_000 + np.arange(n) // group_size
    )
    return pd.DataFrame({"y": y, "group": groups})


def test_groups_never_cross_parts() -> None:
    frame = _frame()
    parts = split_groups(frame, test_fraction=0.2, validation_fraction=0.2, seed=0)
    assert (frame.assign(split=parts).groupby("group")["split"].nunique() == 1).all()


def test_parts_are_stratified_and_sized() -> None:
    frame = _frame()
    parts = split_groups(frame, test_fraction=0.2, validation_fraction=0.2, seed=0)
    shares = frame.assign(split=parts).groupby("split")["y"].mean()
    sizes = parts.value_counts(normalize=True)
    for part in ("train", "validation", "test"):
        assert shares[part] == pytest.approx(frame["y"].mean(), abs=0.02)
    assert sizes["test"] == pytest.approx(0.2, abs=0.02)
    assert sizes["validation"] == pytest.approx(0.2, abs=0.02)


def test_split_is_reproducible_and_test_set_ignores_validation_size() -> None:
    frame = _frame()
    first = split_groups(frame, test_fraction=0.2, validation_fraction=0.2, seed=3)
    again = split_groups(frame, test_fraction=0.2, validation_fraction=0.2, seed=3)
    other = split_groups(frame, test_fraction=0.2, validation_fraction=0.1, seed=3)
    pd.testing.assert_series_equal(first, again)
    assert ((first == "test") == (other == "test")).all()


def test_every_class_keeps_its_share_with_more_than_two_classes() -> None:
    y = np.repeat([0, 1, 2, 3], [500, 250, 150, 100])
    frame = pd.DataFrame({"y": y, "group": np.arange(y.size)})
    parts = split_groups(frame, test_fraction=0.2, validation_fraction=0.2, seed=0)
    shares = frame.assign(split=parts).groupby(["split", "y"]).size().unstack()
    for part in ("validation", "test"):
        np.testing.assert_allclose(
            shares.loc[part] / frame["y"].value_counts().sort_index(), 0.2, atol=0.02
        )


def test_a_group_follows_its_majority_class() -> None:
    frame = pd.DataFrame({"y": [2, 2, 0] + [0, 1, 2] * 40, "group": [0, 0, 0, *range(1, 121)]})
    parts = split_groups(frame, test_fraction=0.2, validation_fraction=0.2, seed=0)
    assert parts.iloc[:3].nunique() == 1


def test_a_class_too_small_to_split_is_an_error_naming_it() -> None:
    frame = pd.DataFrame({"y": [1] + [0] * 99, "group": range(100)})
    with pytest.raises(SplitError, match="no text of class 'rare', which has 1 unique text:"):
        split_groups(
            frame, test_fraction=0.2, validation_fraction=0.2, seed=0, classes=("common", "rare")
        )


def test_a_class_chained_into_few_groups_says_which_setting_to_change() -> None:
    frame = pd.DataFrame({"y": [1] * 50 + [0] * 200, "group": [0] * 50 + list(range(1, 201))})
    with pytest.raises(SplitError, match="50 texts fall in only 1 near-duplicate groups"):
        split_groups(frame, test_fraction=0.2, validation_fraction=0.2, seed=0)
