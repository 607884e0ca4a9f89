"""Read a delimited text file or a Parquet file the way config.toml describes it.

Interaction logs come in every shape: comma or semicolon CSV with a header, tab-separated
dumps without one (MovieLens's ``u.data``), ``::``-separated ``.dat`` files, space-aligned
text, gzip-compressed or not. Any file that is not ``.parquet`` is read as delimited text;
its delimiter is detected unless the config names it, and the report says which was used.

Every column is read as text, so identifiers keep their spelling (``007`` stays ``007``) and
numbers and dates are converted later, column by column, with errors that name the column.
"""

from __future__ import annotations

import bz2
import csv
import gzip
import io
import lzma
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import pandas as pd

from {{ cookiecutter.__package }}.config import FileFormat

__all__ = [
    "DETECTABLE",
    "DataError",
    "TableRead",
    "delimiter_name",
    "detect_delimiter",
    "read_table",
]

#: Delimiters tried when ``delimiter = "auto"``, in order of preference for a tie.
DETECTABLE = ("\t", ",", ";", "|", "::", " ", "whitespace")
_NAMES = {
    "\t": "tab",
    ",": "comma",
    ";": "semicolon",
    "|": "pipe",
    " ": "space",
    "whitespace": "whitespace",
}
_SAMPLE_BYTES = 1 << 16
_SAMPLE_LINES = 50
_OPENERS: dict[str, Callable[..., IO[Any]]] = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}


class DataError(ValueError):
    """The input data is missing, unreadable, or lacks what the configuration names."""


@dataclass(frozen=True)
class TableRead:
    """A file read as text columns, and how it was read (for the report's data block)."""

    frame: pd.DataFrame
    delimiter: str | None
    detected: bool
    header: bool

    def describe(self) -> str:
        """Say how the file was read: ``tab-separated (detected), no header row``."""
        if self.delimiter is None:
            return "Parquet"
        how = f"{delimiter_name(self.delimiter)}-separated"
        if self.detected:
            how += " (detected)"
        return how + ("" if self.header else ", no header row")


def delimiter_name(delimiter: str) -> str:
    """Name a delimiter for a reader: ``tab``, ``semicolon``, or the string quoted."""
    return _NAMES.get(delimiter, repr(delimiter))


def _split(line: str, delimiter: str) -> list[str]:
    if delimiter == "whitespace":
        return line.split()
    if len(delimiter) == 1:
        return next(csv.reader([line], delimiter=delimiter), [])
    return line.split(delimiter)


def detect_delimiter(lines: list[str]) -> str | None:
    """Return the delimiter that splits every line into the same, largest number of fields.

    ``csv.Sniffer`` was tried first and rejected: on a headerless semicolon file with
    decimal commas (``1;7;4,5``) it answers ``,``, since both split every line evenly and
    it prefers the comma, and it gives up on ``::`` and on space-aligned columns. Here the
    most fields wins, ``DETECTABLE`` order breaking ties. Returns ``None`` when no
    candidate splits every line into the same number of fields.
    """
    best, best_fields = None, 1
    for candidate in DETECTABLE:
        counts = {len(_split(line, candidate)) for line in lines}
        if len(counts) == 1 and (fields := counts.pop()) > best_fields:
            best, best_fields = candidate, fields
    return best


def _open_text(path: Path, encoding: str) -> IO[str]:
    opener = _OPENERS.get(path.suffix.lower())
    if opener is None:
        return path.open(encoding=encoding, newline="")
    return io.TextIOWrapper(opener(path, "rb"), encoding=encoding, newline="")


def _sample_lines(path: Path, encoding: str, key: str) -> list[str]:
    try:
        with _open_text(path, encoding) as handle:
            text = handle.read(_SAMPLE_BYTES)
            complete = len(text) < _SAMPLE_BYTES
    except UnicodeDecodeError as err:
        raise DataError(
            f"{path.name} is not {encoding} text ({err.reason} at byte {err.start}): set "
            f'{key}.encoding, e.g. "latin-1"'
        ) from None
    except (OSError, EOFError) as err:
        raise DataError(f"cannot read {path.name}: {err}") from None
    lines = text.lstrip("\ufeff").splitlines()
    if not complete:
        lines = lines[:-1]  # the last line may be cut in the middle
    return [line for line in lines if line.strip()][:_SAMPLE_LINES]


def _parquet(path: Path, fmt: FileFormat, key: str) -> TableRead:
    defaults = FileFormat()
    changed = [
        name
        for name in ("delimiter", "header", "column_names", "encoding")
        if getattr(fmt, name) != getattr(defaults, name)
    ]
    if changed:
        raise DataError(
            f"{path.name} is Parquet, which carries its own column names and types: remove "
            f"{', '.join(f'{key}.{name}' for name in changed)}"
        )
    try:
        frame = pd.read_parquet(path)
    except (OSError, ValueError) as err:
        raise DataError(f"cannot read {path.name} as Parquet: {err}") from None
    frame.columns = [str(column) for column in frame.columns]
    return TableRead(frame, None, detected=False, header=True)


def read_table(path: Path, fmt: FileFormat, *, key: str) -> TableRead:
    """Read ``path`` with the format ``fmt``; ``key`` names its config table in errors.

    Raises:
        DataError: the file is missing, empty, not in the configured encoding, its
            delimiter cannot be detected, a row has the wrong number of fields, or a
            headerless file has more or fewer columns than ``column_names`` names.

    """
    if not path.is_file():
        raise DataError(f"data file not found: {path} (set {key}.path)")
    if path.suffix.lower() == ".parquet":
        return _parquet(path, fmt, key)
    lines = _sample_lines(path, fmt.encoding, key)
    if not lines:
        raise DataError(f"{path.name} is empty")
    detected = fmt.delimiter == "auto"
    delimiter = detect_delimiter(lines) if detected else fmt.delimiter
    if delimiter is None:
        raise DataError(
            f"cannot tell how {path.name} separates its columns (tried tab, comma, semicolon, "
            f'pipe, "::", space): set {key}.delimiter'
        )
    fields = len(_split(lines[0], delimiter))
    if not fmt.header and fields != len(fmt.column_names):
        raise DataError(
            f"{path.name} has {fields} columns per row ({delimiter_name(delimiter)}-separated) "
            f"but {key}.column_names names {len(fmt.column_names)}: "
            f"{', '.join(fmt.column_names)}"
        )
    if delimiter == "whitespace":
        sep, engine = r"\s+", "c"
    elif len(delimiter) == 1:
        sep, engine = delimiter, "c"
    else:
        sep, engine = re.escape(delimiter), "python"
    try:
        with warnings.catch_warnings():
            # pandas only warns, and drops the extra fields, when a row has more fields than
            # the header: that is a misread file, not a detail.
            warnings.simplefilter("error", pd.errors.ParserWarning)
            frame = pd.read_csv(
                path,
                sep=sep,
                engine=engine,
                header=0 if fmt.header else None,
                names=list(fmt.column_names) or None,
                index_col=False,
                dtype=str,
                keep_default_na=False,
                encoding=fmt.encoding,
            )
    except pd.errors.ParserWarning:
        raise DataError(
            f"{path.name} has rows with more fields than its header when read as "
            f"{delimiter_name(delimiter)}-separated text: check {key}.delimiter and {key}.header"
        ) from None
    except UnicodeDecodeError as err:
        raise DataError(
            f"{path.name} is not {fmt.encoding} text ({err.reason}): set {key}.encoding, "
            'e.g. "latin-1"'
        ) from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as err:
        reason = str(err).strip().splitlines()[-1] if str(err).strip() else type(err).__name__
        raise DataError(
            f"cannot read {path.name} as {delimiter_name(delimiter)}-separated text: {reason}; "
            f"check {key}.delimiter and {key}.header"
        ) from None
    frame.columns = [str(column).strip().lstrip("\ufeff") for column in frame.columns]
    # A row with fewer fields than the header is padded with missing values: make them
    # empty text like every other missing field, so the caller drops them with a note.
    return TableRead(frame.fillna(""), delimiter, detected=detected, header=fmt.header)
