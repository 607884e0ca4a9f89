"""Tests for the Markdown table helper every report uses."""

from __future__ import annotations

import math

import numpy as np
import pytest

from {{cookiecutter.__package}}.tables import (
    format_value,
    markdown_table,
)


def test_table_has_header_separator_and_rows() -> None:
    table = markdown_table(["model", "note"], [["baseline", "simple"], ["forest", "best"]])

    assert table == (
        "| model    | note   |\n| -------- | ------ |\n| baseline | simple |\n| forest   | best   |"
    )


def test_numeric_columns_are_right_aligned_by_default() -> None:
    table = markdown_table(["model", "auc"], [["a", 0.9], ["b", 0.85]])

    assert table.splitlines()[1] == "| ----- | ----: |"
    assert table.splitlines()[2] == "| a     | 0.900 |"


def test_explicit_alignment_is_used() -> None:
    table = markdown_table(["a", "b", "c"], [["x", "y", "z"]], align=["l", "center", "right"])

    assert table.splitlines()[1] == "| --- | :-: | --: |"


def test_pipe_in_a_cell_is_escaped() -> None:
    table = markdown_table(["x"], [["a|b"]])

    assert table.splitlines()[2] == r"| a\|b |"


def test_newline_in_a_cell_becomes_a_line_break() -> None:
    table = markdown_table(["note"], [["one\ntwo"]])

    assert table.splitlines()[2] == "| one<br>two |"


def test_strings_are_used_as_given() -> None:
    table = markdown_table(["year", "interval"], [["2024", "0.912 [0.887, 0.934]"]])

    assert "| 2024 | 0.912 [0.887, 0.934] |" in table


def test_row_with_wrong_length_raises() -> None:
    with pytest.raises(ValueError, match="row 2 has 1 cells, expected 2"):
        markdown_table(["a", "b"], [[1, 2], [3]])


def test_unknown_alignment_raises() -> None:
    with pytest.raises(ValueError, match="unknown alignment 'middle'"):
        markdown_table(["a"], [[1]], align=["middle"])


def test_table_without_rows_has_header_only() -> None:
    assert markdown_table(["a"], []) == "| a   |\n| --- |"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0.91234, "0.912"),
        (12.3456, "12.346"),
        (12345.6, "12,346"),
        (0.000123, "0.000123"),
        (0.0, "0.000"),
        (-0.5, "-0.500"),
        (1234567, "1,234,567"),
        (np.int64(42), "42"),
        (np.float32(0.5), "0.500"),
        (math.nan, "n/a"),
        (None, ""),
        (True, "True"),
    ],
)
def test_format_value(value: object, expected: str) -> None:
    assert format_value(value) == expected


def test_format_value_digits() -> None:
    assert format_value(0.91234, digits=2) == "0.91"
