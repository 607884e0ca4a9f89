"""Delimited files of every common shape are read as text columns, and how is reported."""

from __future__ import annotations

import gzip
from pathlib import Path

import pandas as pd
import pytest

from {{ cookiecutter.__package }}.config import FileFormat
from {{ cookiecutter.__package }}.reading import DataError, detect_delimiter, read_table


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["196\t242\t3\t881250949", "186\t302\t3\t891717742"], "\t"),
        (["1;7;4,5", "2;8;3,5", "3;9;5,0"], ";"),
        (["item,title", '1,"Misérables, Les (1995)"', "2,Plain"], ","),
        (["1::1193::5::978300760", "1::661::3::978302109"], "::"),
        (["1 2 881250949", "1 3 881250950"], " "),
        (["1    2   5", "10   20  4", "100  3   3"], "whitespace"),
        (["1|Toy Story (1995)|01-Jan-1995", "2|GoldenEye (1995)|01-Jan-1995"], "|"),
        (["just one column", "per line"], None),
    ],
)
def test_the_delimiter_that_splits_every_line_alike_is_found(
    lines: list[str], expected: str | None
) -> None:
    assert detect_delimiter(lines) == expected


def test_a_headerless_file_gets_its_column_names_and_keeps_ids_as_text(tmp_path: Path) -> None:
    path = tmp_path / "log.tsv"
    path.write_text("007\ta\t10\n008\tb\t11\n", encoding="utf-8")
    fmt = FileFormat(header=False, column_names=("user", "item", "when"))

    read = read_table(path, fmt, key="data.interactions")

    assert read.frame.to_dict("list") == {
        "user": ["007", "008"],
        "item": ["a", "b"],
        "when": ["10", "11"],
    }
    assert read.describe() == "tab-separated (detected), no header row"


def test_a_bom_and_padded_header_names_are_cleaned(tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    path.write_bytes("\ufeffuser ; item\n1;2\n".encode())

    read = read_table(path, FileFormat(), key="data.interactions")

    assert list(read.frame.columns) == ["user", "item"]
    assert read.delimiter == ";"


def test_a_gzip_file_is_read_and_a_given_delimiter_is_not_detected(tmp_path: Path) -> None:
    path = tmp_path / "log.dat.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write("1::2::5\n3::4::1\n")
    fmt = FileFormat(delimiter="::", header=False, column_names=("u", "i", "r"))

    read = read_table(path, fmt, key="data.interactions")

    assert read.frame["r"].tolist() == ["5", "1"]
    assert read.describe() == "'::'-separated, no header row"


def test_parquet_keeps_its_own_types_and_refuses_text_options(tmp_path: Path) -> None:
    path = tmp_path / "log.parquet"
    pd.DataFrame({"user": [1, 2], "item": ["a", "b"]}).to_parquet(path)

    assert read_table(path, FileFormat(), key="k").frame["user"].tolist() == [1, 2]
    with pytest.raises(DataError, match=r"remove k\.delimiter"):
        read_table(path, FileFormat(delimiter=";"), key="k")


@pytest.mark.parametrize(
    ("content", "fmt", "message"),
    [
        (b"", FileFormat(), "is empty"),
        (b"a b\nc d e\n", FileFormat(delimiter=" "), "more fields than its header"),
        (b"a,b\n1,2\n3,4,5,6\n", FileFormat(delimiter=","), "Expected 2 fields in line 3"),
        (
            b"1\t2\t3\n",
            FileFormat(header=False, column_names=("user", "item")),
            "has 3 columns per row",
        ),
        ("user;item\nJosé;x\n".encode("latin-1"), FileFormat(), 'encoding, e.g. "latin-1"'),
        (b"onecolumn\nvalues\n", FileFormat(), "cannot tell how"),
    ],
)
def test_unreadable_files_are_one_line_naming_the_fix(
    tmp_path: Path, content: bytes, fmt: FileFormat, message: str
) -> None:
    path = tmp_path / "log.txt"
    path.write_bytes(content)

    with pytest.raises(DataError, match=message) as caught:
        read_table(path, fmt, key="data.interactions")

    assert "\n" not in str(caught.value)


def test_a_missing_file_names_the_key_to_set(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"set data\.items\.path"):
        read_table(tmp_path / "nope.csv", FileFormat(), key="data.items")
