"""Reading delimited text of the shapes real exports come in, and clear errors when it misfits."""

from pathlib import Path
from typing import Any

import pytest

from {{ cookiecutter.__package }}.config import (
    CsvOptions,
)
from {{ cookiecutter.__package }}.delimited import (
    detect_delimiter,
    read_delimited,
)
from {{ cookiecutter.__package }}.settings import (
    ConfigError,
)

# Headerless, space-separated, coded categoricals and labels 1/2, like the German credit data.
CODED = (
    "A11 6 A34 1169 A93 67 A201 1\n"
    "A12 48 A32 5951 A92 22 A201 2\n"
    "A14 12 A34 2096 A93 49 A201 1\n"
    "A11 42 A32 7882 A93 45 A202 1\n"
)
CODED_NAMES = ["status", "months", "history", "amount", "personal", "age", "foreign", "risk"]
# A semicolon export with decimal commas, like a telco churn file.
SEMICOLON = (
    "customer;gender;tenure;monthly;total;churn\n"
    "7590-VHVEG;Female;1;29,85;29,85;No\n"
    "5575-GNVDE;Male;34;56,95;1889,5;No\n"
    "3668-QPYBK;Male;2;53,85;108,15;Yes\n"
)


def _options(**values: Any) -> CsvOptions:
    return CsvOptions.model_validate(values)


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (CODED, " "),
        (SEMICOLON, ";"),
        # Without a header, every line holds as many commas as semicolons: the widest wins.
        ("".join(SEMICOLON.splitlines(keepends=True)[1:]), ";"),
        ("39, State-gov, Male, <=50K\n50, Private, Female, >50K\n", ","),
        ("a\tb\tc\n1\t2\t3\n", "\t"),
        ("a|b|c\n1|2|3\n", "|"),
        # Aligned columns: runs of spaces between fields are one delimiter.
        ("  a  b  c\n  1  2  3\n 10 20 30\n", " "),
        ("a\t b  c\n1 \t2 3\n4  5\t6\n", "whitespace"),
        ('name,city\n"Smith, J",Paris\n"Doe, A",Lyon\n', ","),
    ],
)
def test_the_delimiter_is_detected(text: str, expected: str) -> None:
    assert detect_delimiter(text) == expected


def test_a_single_column_has_no_delimiter_to_detect() -> None:
    assert detect_delimiter("one\ntwo\nthree\n") is None


def test_a_headerless_coded_file_is_read_with_the_configured_names(tmp_path: Path) -> None:
    path = _write(tmp_path / "credit.data", CODED)
    frame, info = read_delimited(
        path,
        _options(header=False, column_names=CODED_NAMES),
        text_columns=["risk"],
    )
    assert list(frame.columns) == CODED_NAMES
    assert frame["status"].tolist() == ["A11", "A12", "A14", "A11"]
    assert frame["amount"].tolist() == [1169, 5951, 2096, 7882]
    assert frame["risk"].tolist() == ["1", "2", "1", "1"]
    assert (info.delimiter, info.delimiter_detected, info.header) == (" ", True, False)


def test_a_bom_and_decimal_commas_are_read_as_meant(tmp_path: Path) -> None:
    path = _write(tmp_path / "churn.csv", "\ufeff" + SEMICOLON)
    frame, info = read_delimited(path, _options(decimal=","))
    assert list(frame.columns)[0] == "customer"
    assert frame["monthly"].tolist() == [29.85, 56.95, 53.85]
    assert (info.delimiter, info.encoding, info.byte_order_mark) == (";", "UTF-8", True)


def test_thousands_separators_are_read(tmp_path: Path) -> None:
    path = _write(tmp_path / "t.csv", "a;b\n1.889,5;x\n2.000,25;y\n")
    frame, _ = read_delimited(path, _options(decimal=",", thousands="."))
    assert frame["a"].tolist() == [1889.5, 2000.25]


def test_a_file_that_is_not_utf8_falls_back_to_windows_1252(tmp_path: Path) -> None:
    path = _write(tmp_path / "t.csv", "city,n\nMünchen,1\nKöln,2\n", encoding="cp1252")
    frame, info = read_delimited(path, _options())
    assert frame["city"].tolist() == ["München", "Köln"]
    assert (info.encoding, info.encoding_detected) == ("Windows-1252", True)


def test_a_wrong_encoding_names_the_key(tmp_path: Path) -> None:
    path = _write(tmp_path / "t.csv", "city,n\nMünchen,1\n", encoding="cp1252")
    with pytest.raises(ConfigError, match=r"^data\.csv\.encoding: t\.csv is not valid utf-8"):
        read_delimited(path, _options(encoding="utf-8"))


def test_a_wrong_delimiter_is_one_line_suggesting_the_right_one(tmp_path: Path) -> None:
    path = _write(tmp_path / "churn.csv", SEMICOLON.replace(",", "."))
    with pytest.raises(ConfigError) as caught:
        read_delimited(path, _options(delimiter=","))
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("data.csv.delimiter: churn.csv split by comma is one column")
    assert 'looks semicolon-separated: set data.csv.delimiter: ";"' in message


def test_a_wrong_delimiter_that_splits_some_lines_is_one_line_too(tmp_path: Path) -> None:
    path = _write(tmp_path / "churn.csv", SEMICOLON)
    with pytest.raises(ConfigError, match=r"looks semicolon-separated") as caught:
        read_delimited(path, _options(delimiter=","))
    assert "\n" not in str(caught.value)


def test_column_names_that_do_not_fit_the_file_are_named(tmp_path: Path) -> None:
    path = _write(tmp_path / "credit.data", CODED)
    with pytest.raises(ConfigError) as caught:
        read_delimited(path, _options(header=False, column_names=CODED_NAMES[:-1]))
    assert str(caught.value).startswith(
        "data.csv.column_names lists 7 names, but credit.data split by space has 8 field(s)"
    )


def test_a_header_narrower_than_the_rows_is_named(tmp_path: Path) -> None:
    path = _write(tmp_path / "t.csv", "a,b\n" + "1,2,3\n" * 30)
    with pytest.raises(ConfigError, match=r"^data\.csv\.header: the header row of t\.csv"):
        read_delimited(path, _options())


def test_an_undetectable_delimiter_says_to_set_it(tmp_path: Path) -> None:
    path = _write(tmp_path / "one.csv", "just one column\nof text\n")
    with pytest.raises(ConfigError, match=r"^data\.csv\.delimiter: cannot detect"):
        read_delimited(path, _options())
