"""Each data-quality check acts or flags as its note says, and the override it names works."""

import numpy as np
import pandas as pd
import pytest

from {{ cookiecutter.__package }} import (
    quality,
)


def _frame(rows: int = 40) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {
            "customer": [f"C-{i:04d}" for i in range(rows)],
            "row": np.arange(rows),
            "country": ["DE"] * rows,
            "empty": [np.nan] * rows,
            "amount": rng.normal(100, 10, rows).round(2),
            "visits": rng.integers(0, 5, rows),
        }
    )


def test_constant_and_identifier_columns_are_left_out_with_notes() -> None:
    excluded, notes = quality.exclusions(_frame(), list(_frame().columns), keep=())
    assert excluded == ["country", "empty", "customer", "row"]
    constant, id_like = notes
    assert constant.check == "constant" and "`country` (every row 'DE')" in constant.action
    assert "`empty` (empty)" in constant.action
    assert id_like.check == "id_like" and id_like.columns == ("customer", "row")
    assert (
        "quality.keep_columns" in constant.override and "quality.keep_columns" in id_like.override
    )


def test_kept_columns_are_never_left_out() -> None:
    excluded, _ = quality.exclusions(_frame(), list(_frame().columns), keep=("country", "row"))
    assert excluded == ["empty", "customer"]


def test_distinct_measurements_and_small_tables_are_not_identifiers() -> None:
    frame = _frame()
    frame["amount"] = np.linspace(1, 2, len(frame))  # every value distinct, but a measurement
    assert "amount" not in quality.exclusions(frame, ["amount"], keep=())[0]
    small = _frame(rows=10)
    assert quality.exclusions(small, ["customer"], keep=())[0] == []


def test_an_integer_column_named_like_an_identifier_is_one() -> None:
    frame = pd.DataFrame({"customerID": np.random.default_rng(1).permutation(1000)[:40] * 7})
    assert quality.exclusions(frame, ["customerID"], keep=())[0] == ["customerID"]


def test_decimal_comma_numbers_become_numbers() -> None:
    frame = pd.DataFrame({"total": ["29,85", "1.889,50", None, "7"], "name": list("abcd")})
    converted, notes = quality.convert_numeric_text(frame, ["total", "name"])
    assert converted["total"].tolist()[:2] == [29.85, 1889.5]
    assert np.isnan(converted["total"].iloc[2]) and converted["total"].iloc[3] == 7
    assert converted["name"].tolist() == list("abcd")
    (note,) = notes
    assert note.check == "decimal_comma" and note.columns == ("total",)
    assert "categorical_columns" in note.override


def test_nearly_numeric_text_is_flagged_not_changed() -> None:
    values = [f"{i}.5" for i in range(9)] + ["n/a"]
    frame = pd.DataFrame({"charges": values})
    converted, notes = quality.convert_numeric_text(frame, ["charges"])
    assert converted["charges"].tolist() == values
    (note,) = notes
    assert note.check == "numeric_text" and "1 of 10 values are not numbers" in note.action
    assert "'n/a'" in note.action and "data.csv.missing_values" in note.override


def test_rows_without_a_target_are_left_out_with_a_count() -> None:
    frame = pd.DataFrame({"y": ["yes", None, " ", "no"], "x": [1, 2, 3, 4]})
    kept, (note,) = quality.drop_missing_target(frame, "y")
    assert kept["x"].tolist() == [1, 4]
    assert note.action == "2 rows have no `y` value and were left out."


def test_value_labels_name_codes_and_note_what_they_miss() -> None:
    frame = pd.DataFrame({"status": ["A11", "A12", "A14", None], "sex": [1.0, 2.0, 1.0, 2.0]})
    labelled, notes = quality.apply_value_labels(
        frame,
        {"status": {"A11": "no account", "A12": "low", "A13": "high"}, "sex": {"1": "f"}},
    )
    assert labelled["status"].tolist()[:3] == ["no account", "low", "A14"]
    assert pd.isna(labelled["status"].iloc[3])
    assert labelled["sex"].tolist() == ["f", "2", "f", "2"]
    checks = [(n.check, n.columns) for n in notes]
    assert checks == [
        ("value_labels", ("status",)),
        ("unnamed_codes", ("status",)),
        ("unused_labels", ("status",)),
        ("value_labels", ("sex",)),
        ("unnamed_codes", ("sex",)),
    ]
    assert "A14" in notes[1].action and "A13" in notes[2].action


def test_many_valued_categories_and_unnamed_codes_are_flagged() -> None:
    frame = pd.DataFrame(
        {"city": [f"town {i}" for i in range(30)], "grade": ["A1", "B2", "A1"] * 10}
    )
    (many,) = quality.high_cardinality(frame, ["city", "grade"], max_categories=20)
    assert many.columns == ("city",) and "keeps the 19 most frequent" in many.action
    (codes,) = quality.unnamed_codes(frame, ["city", "grade"], max_categories=20)
    assert codes.columns == ("grade",)
    assert "value_labels: {grade: {A1: a name}}" in codes.override


@pytest.mark.parametrize(
    ("value", "expected"), [(2.0, "2"), (2.5, "2.5"), (" A91 ", "A91"), (7, "7"), (None, None)]
)
def test_codes_compare_as_text(value: object, expected: str | None) -> None:
    assert quality.code_text(value) == expected


@pytest.mark.parametrize(
    "series",
    [
        pd.Series([2.0, np.nan, 2.5, 7.0, 2.0] * 600),
        pd.Series([1, 2, 2, 3] * 750),
        pd.Series([" A91 ", "A91", None, "B2", np.nan] * 600),
        pd.Series(["x", "y", None] * 1000, dtype="string"),
        pd.Series([True, False] * 1500),
        pd.Series(["a", "b", "a"] * 1000, dtype="category"),
        # Mixed types, where 1, 1.0 and True would hash as one key: value by value.
        pd.Series([1, 1.0, True, "1", None] * 600, dtype="object"),
    ],
)
def test_as_text_converts_each_row_as_code_text_does(series: pd.Series) -> None:
    texts = quality.as_text(series)
    expected = [None if pd.isna(v) else quality.code_text(v) for v in series.astype(object)]
    assert [None if pd.isna(t) else t for t in texts] == expected
    assert texts.index.equals(series.index) and texts.dtype == object
