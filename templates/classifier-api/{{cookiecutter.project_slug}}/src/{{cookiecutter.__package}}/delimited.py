"""Read a delimited text file as its owner meant it: delimiter, encoding, decimal mark, header.

Exports from spreadsheets and databases differ in every convention: a semicolon with decimal
commas, a byte-order mark, spaces between fields, no header row. pandas reads any of them
when told the conventions, and misreads silently when it is not (a whole header line becomes
one column name). So the conventions are settings (``data.csv`` in ``params.yaml``), each
defaulting to detection, and what was used is recorded for the README's data block.

The delimiter is detected here rather than by ``csv.Sniffer`` (or pandas' ``sep=None``, which
uses it on the first line): measured on a headerless semicolon file with decimal commas
(``7590-VHVEG;Female;0;29,85;29,85;No``), both choose the comma and read three columns
instead of six, because every line holds the same number of commas too. The rule below
takes, among the candidates that split the sampled records into one consistent width, the
one giving the most fields.
"""

from __future__ import annotations

import codecs
import csv
import io
import warnings
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from .config import AUTO, CsvOptions
from .settings import ConfigError

__all__ = ["CANDIDATES", "ReadInfo", "detect_delimiter", "read_delimited"]

#: Delimiters tried by detection, in order of preference when two give the same width.
CANDIDATES = (",", ";", "\t", "|", " ", "whitespace")
_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe", " ": "space"}
# Enough lines to judge a file by, few enough to sniff a large file in milliseconds.
_SAMPLE_BYTES = 256 * 1024
_SAMPLE_RECORDS = 200
# A few ragged lines (a footer, a stray comment) must not hide an otherwise clear delimiter.
_CONSISTENT_SHARE = 0.95
_FALLBACK_ENCODINGS = ("cp1252", "latin-1")
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_ENCODING_NAMES = {
    "utf-8-sig": "UTF-8",
    "utf-8": "UTF-8",
    "utf-16": "UTF-16",
    "cp1252": "Windows-1252",
    "latin-1": "Latin-1",
}


@dataclass(frozen=True)
class ReadInfo:
    """How a file was read: what the README's data block reports, and what was detected."""

    delimiter: str
    delimiter_detected: bool
    encoding: str
    encoding_detected: bool
    byte_order_mark: bool
    decimal: str
    thousands: str | None
    header: bool

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "format": "delimited text",
            "delimiter": self.delimiter,
            "delimiter_name": delimiter_name(self.delimiter),
            "delimiter_detected": self.delimiter_detected,
            "encoding": self.encoding,
            "encoding_detected": self.encoding_detected,
            "byte_order_mark": self.byte_order_mark,
            "decimal": self.decimal,
            "thousands": self.thousands,
            "header": self.header,
        }


def delimiter_name(delimiter: str) -> str:
    """Return the delimiter as a word, since a tab or a space is invisible in a sentence."""
    return _NAMES.get(delimiter, delimiter)


def _records(sample: str, delimiter: str) -> list[int]:
    """Return the number of fields of each non-blank record in ``sample``."""
    if delimiter == "whitespace":
        widths = [len(line.split()) for line in sample.splitlines() if line.strip()]
    else:
        reader = csv.reader(io.StringIO(sample), delimiter=delimiter, skipinitialspace=True)
        try:
            widths = [len(row) for row in reader if any(cell.strip() for cell in row)]
        except csv.Error:
            return []
    return widths[:_SAMPLE_RECORDS]


def _width(sample: str, delimiter: str) -> int | None:
    """Return the width nearly every record has with ``delimiter``, or None if it varies."""
    widths = _records(sample, delimiter)
    if not widths:
        return None
    width, count = Counter(widths).most_common(1)[0]
    return width if count >= _CONSISTENT_SHARE * len(widths) else None


def detect_delimiter(sample: str) -> str | None:
    """Return the candidate that splits the sample into the most fields, consistently.

    None when no candidate gives every record (within a few ragged lines) more than one
    field of the same count.
    """
    best: tuple[int, str] | None = None
    for candidate in CANDIDATES:
        width = _width(sample, candidate)
        if width is not None and width > 1 and (best is None or width > best[0]):
            best = (width, candidate)
    return best[1] if best else None


def _encoding(head: bytes) -> tuple[str, bool]:
    """Return the codec for a file starting with ``head``, and whether it has a BOM."""
    for bom, codec in _BOMS:
        if head.startswith(bom):
            return codec, True
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return _FALLBACK_ENCODINGS[0], False
    return "utf-8", False


def _sample(head: bytes, codec: str, *, whole_file: bool, strict: bool) -> str:
    """Decode the file's first bytes, cut after the last complete line unless it is all.

    Raises:
        UnicodeDecodeError: ``strict`` and the bytes are not valid ``codec``.

    """
    decoder = codecs.getincrementaldecoder(codec)(errors="strict" if strict else "replace")
    text = decoder.decode(head, final=whole_file)
    return text if whole_file else text[: text.rfind("\n") + 1]


def _encoding_error(path: Path, err: UnicodeDecodeError) -> ConfigError:
    return ConfigError(
        f"data.csv.encoding: {path.name} is not valid {err.encoding} (byte "
        f"{err.object[err.start : err.start + 1]!r} at position {err.start}); "
        "set data.csv.encoding to the file's encoding, e.g. cp1252 or latin-1"
    )


def _hint(sample: str, used: str, *, expected_width: int | None = None) -> str:
    """Say which delimiter the file seems to use, when it is not ``used``."""
    if expected_width is not None:
        fits = [c for c in CANDIDATES if c != used and _width(sample, c) == expected_width]
        suggestion = fits[0] if fits else None
    else:
        suggestion = detect_delimiter(sample)
    if suggestion is None or suggestion == used:
        return "check data.csv.delimiter and data.csv.header"
    return (
        f"the file looks {delimiter_name(suggestion)}-separated: set "
        f"data.csv.delimiter: {_yaml(suggestion)} (or auto)"
    )


def _yaml(delimiter: str) -> str:
    return delimiter if delimiter == "whitespace" else repr(delimiter).replace("'", '"')


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def read_delimited(
    path: Path, options: CsvOptions, *, text_columns: Sequence[str] = ()
) -> tuple[pd.DataFrame, ReadInfo]:
    """Read the delimited text file at ``path`` with ``options``; return it and how it was read.

    ``text_columns`` are read as text whatever they look like (codes such as ``01``).

    Raises:
        ConfigError: the delimiter cannot be detected, or the one given (or detected) does
            not fit the file, or the encoding cannot decode it; the message names the
            ``data.csv`` key to set.

    """
    with path.open("rb") as handle:
        head = handle.read(_SAMPLE_BYTES)
        whole_file = not handle.read(1)
    detected_codec, bom = _encoding(head)
    codec = options.python_encoding or detected_codec
    try:
        # A codec the owner named must fit; a detected one already does, or is the fallback.
        sample = _sample(head, codec, whole_file=whole_file, strict=options.encoding != AUTO)
    except UnicodeDecodeError as err:
        raise _encoding_error(path, err) from None
    if options.delimiter == AUTO:
        delimiter = detect_delimiter(sample)
        if delimiter is None:
            raise ConfigError(
                f"data.csv.delimiter: cannot detect the delimiter of {path.name} (no "
                "candidate splits every line into the same number of fields); set "
                "data.csv.delimiter to the character between fields"
            )
    else:
        delimiter = options.delimiter
    _check_width(path, sample, delimiter, options)
    frame, codec = _read_with_fallback(path, options, delimiter, codec, sample, text_columns)
    frame.columns = [str(c).strip().lstrip("\ufeff") for c in frame.columns]
    info = ReadInfo(
        delimiter=delimiter,
        delimiter_detected=options.delimiter == AUTO,
        encoding=_ENCODING_NAMES.get(codec, codec),
        encoding_detected=options.encoding == AUTO,
        byte_order_mark=bom,
        decimal=options.decimal,
        thousands=options.thousands,
        header=options.header,
    )
    return frame, info


def _check_width(path: Path, sample: str, delimiter: str, options: CsvOptions) -> None:
    """Refuse a delimiter that does not split the file into one consistent table."""
    widths = _records(sample, delimiter)
    width = _width(sample, delimiter)
    where = f"{path.name} split by {delimiter_name(delimiter)}"
    names = options.column_names
    if width is None and widths:
        raise ConfigError(
            f"data.csv.delimiter: {where} gives lines of {min(widths)} to {max(widths)} "
            f"fields; {_hint(sample, delimiter)}"
        )
    if width == 1:
        first = next((line for line in sample.splitlines() if line.strip()), "")
        raise ConfigError(
            f"data.csv.delimiter: {where} is one column ({_shorten(first.strip())!r}); "
            f"{_hint(sample, delimiter)}"
        )
    if names and width is not None and width != len(names):
        raise ConfigError(
            f"data.csv.column_names lists {len(names)} names, but {where} has {width} "
            f"field(s) per line; {_hint(sample, delimiter, expected_width=len(names))}"
        )
    if options.header and widths and width is not None and widths[0] != width:
        raise ConfigError(
            f"data.csv.header: the header row of {where} has {widths[0]} field(s), the other "
            f"lines {width}; {_hint(sample, delimiter)}"
        )


def _read_with_fallback(
    path: Path,
    options: CsvOptions,
    delimiter: str,
    codec: str,
    sample: str,
    text_columns: Sequence[str],
) -> tuple[pd.DataFrame, str]:
    """Parse the file; with a detected encoding, fall back to Windows-1252 if UTF-8 fails."""
    fallbacks = _FALLBACK_ENCODINGS if options.encoding == AUTO and codec == "utf-8" else ()
    for attempt in (codec, *fallbacks):
        try:
            with warnings.catch_warnings():
                # pandas only warns when a row does not fit the header; that loses data.
                warnings.simplefilter("error", pd.errors.ParserWarning)
                frame = pd.read_csv(
                    path,
                    sep=r"\s+" if delimiter == "whitespace" else delimiter,
                    encoding=attempt,
                    header=0 if options.header else None,
                    names=list(options.column_names) or None,
                    index_col=False,
                    na_values=list(options.missing_values),
                    skipinitialspace=True,
                    decimal=options.decimal,
                    thousands=options.thousands,
                    dtype=dict.fromkeys(text_columns, "str"),
                )
        except UnicodeDecodeError as err:
            failure = err
            continue
        except (pd.errors.ParserError, pd.errors.ParserWarning) as err:
            reason = _shorten(" ".join(str(err).split()), 90)
            raise ConfigError(
                f"cannot read {path.name} as {delimiter_name(delimiter)}-separated text "
                f"({reason}); {_hint(sample, delimiter)}"
            ) from None
        return frame, attempt
    raise _encoding_error(path, failure)
