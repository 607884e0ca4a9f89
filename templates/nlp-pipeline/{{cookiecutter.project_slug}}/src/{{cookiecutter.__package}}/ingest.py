"""Read labelled messages from a file or folder, and account for every row that is unusable.

Real text files are messy: an unknown encoding, a stray tab, a label typed wrong. Rows that
cannot be read are collected with their line number and the reason, reported, and counted
against ``max_bad_fraction``; nothing disappears silently.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .config import DataConfig

__all__ = ["BadRow", "Corpus", "IngestError", "decode", "detect_encoding", "read_corpus"]

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Tried in order when no BOM says otherwise: strict UTF-8 rejects almost every file that is
# not UTF-8, and cp1252 (a superset of latin-1's printable range) is the usual culprit then.
_FALLBACKS = ("utf-8", "cp1252", "latin-1")


class IngestError(ValueError):
    """The corpus cannot be used: missing, empty, or too many unreadable rows."""


@dataclass(frozen=True)
class BadRow:
    """One unusable row: where it is (``line 12`` or a file name) and why it was refused."""

    location: str
    reason: str


@dataclass(frozen=True)
class Corpus:
    """The readable messages, with the rows refused and the encoding used.

    ``frame`` has one row per message: ``origin`` (``line N`` or a file name), ``label``
    (the original label text), ``text``, and ``y`` (1 for the positive label, else 0).
    """

    frame: pd.DataFrame
    bad_rows: tuple[BadRow, ...]
    encoding: str
    source: Path


def detect_encoding(raw: bytes) -> str:
    """Return the codec that decodes ``raw``: a BOM's, else the first fallback that works.

    latin-1 decodes any byte sequence, so this always returns a codec; check the text if the
    source is truly unknown.
    """
    for bom, codec in _BOMS:
        if raw.startswith(bom):
            return codec
    for codec in _FALLBACKS:
        try:
            raw.decode(codec)
        except UnicodeDecodeError:
            continue
        return codec
    return "latin-1"  # pragma: no cover - latin-1 decodes every byte, the loop returns first


def decode(raw: bytes, encoding: str) -> tuple[str, str]:
    """Decode ``raw`` with ``encoding`` (``"auto"`` detects it); return the text and codec.

    Raises:
        IngestError: an explicit encoding does not fit the bytes; the message gives the
            byte offset, so the user can look at the offending character.

    """
    codec = detect_encoding(raw) if encoding == "auto" else encoding
    try:
        text = raw.decode(codec)
    except UnicodeDecodeError as err:
        raise IngestError(
            f"the data is not valid {codec} (byte {err.start}: {raw[err.start : err.end]!r}); "
            'set [data] encoding = "auto" or the file\'s real encoding'
        ) from err
    # utf-8 without a BOM may still start with one when the file was edited on Windows.
    return text.removeprefix("\ufeff"), codec


def _label(value: object, config: DataConfig) -> int | None:
    if value == config.positive_label:
        return 1
    if value == config.negative_label:
        return 0
    return None


def _accept(
    records: list[tuple[str, str, str]],
    bad: list[BadRow],
    location: str,
    label: object,
    text: object,
    config: DataConfig,
) -> None:
    if not isinstance(text, str) or not text.strip():
        bad.append(BadRow(location, "empty or missing text"))
    elif _label(label, config) is None:
        bad.append(
            BadRow(
                location,
                f"label {label!r} is neither {config.positive_label!r} "
                f"nor {config.negative_label!r}",
            )
        )
    else:
        records.append((location, str(label), text))


def _read_delimited(text: str, config: DataConfig, bad: list[BadRow]) -> list[tuple[str, str, str]]:
    delimiter = "\t" if config.format == "tsv" else ","
    quoting = csv.QUOTE_NONE if config.quoting == "none" else csv.QUOTE_MINIMAL
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quoting=quoting)
    columns = list(config.columns)
    if config.header:
        try:
            columns = next(reader)
        except StopIteration:
            return []
        missing = {config.text_column, config.label_column} - set(columns)
        if missing:
            raise IngestError(
                f"the header {columns} lacks the column(s) {sorted(missing)}: set "
                "[data] text_column and label_column to names in the header"
            )
    text_at, label_at = columns.index(config.text_column), columns.index(config.label_column)
    records: list[tuple[str, str, str]] = []
    for row in reader:
        location = f"line {reader.line_num}"
        if not row or row == [""]:
            continue
        if len(row) != len(columns):
            bad.append(BadRow(location, f"{len(row)} fields, expected {len(columns)}"))
            continue
        _accept(records, bad, location, row[label_at], row[text_at], config)
    return records


def _read_jsonl(text: str, config: DataConfig, bad: list[BadRow]) -> list[tuple[str, str, str]]:
    records: list[tuple[str, str, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        location = f"line {number}"
        try:
            item = json.loads(line)
        except json.JSONDecodeError as err:
            bad.append(BadRow(location, f"invalid JSON: {err.msg}"))
            continue
        if not isinstance(item, dict):
            bad.append(BadRow(location, "not a JSON object"))
            continue
        _accept(
            records,
            bad,
            location,
            item.get(config.label_column),
            item.get(config.text_column),
            config,
        )
    return records


def _read_folder(config: DataConfig, bad: list[BadRow]) -> tuple[list[tuple[str, str, str]], str]:
    records: list[tuple[str, str, str]] = []
    codecs_used: set[str] = set()
    for label in (config.positive_label, config.negative_label):
        folder = config.path / label
        if not folder.is_dir():
            raise IngestError(
                f"{folder} is missing: a folder corpus holds one sub-folder per label "
                f"({config.positive_label}/ and {config.negative_label}/) of .txt files"
            )
        for file in sorted(folder.glob("*.txt")):
            location = file.relative_to(config.path).as_posix()
            try:
                text, codec = decode(file.read_bytes(), config.encoding)
            except IngestError as err:
                bad.append(BadRow(location, str(err)))
                continue
            codecs_used.add(codec)
            _accept(records, bad, location, label, text.strip(), config)
    return records, "+".join(sorted(codecs_used)) or "n/a"


def read_corpus(config: DataConfig) -> Corpus:
    """Read the corpus that ``config`` describes.

    Raises:
        IngestError: the path does not exist, no message is readable, a header lacks the
            configured columns, or more than ``max_bad_fraction`` of the rows are bad.

    """
    if not config.path.exists():
        raise IngestError(
            f"{config.path} does not exist: run `make data` to download the corpus, or set "
            "[data] path in the configuration"
        )
    bad: list[BadRow] = []
    if config.format == "folder":
        records, codec = _read_folder(config, bad)
    else:
        text, codec = decode(config.path.read_bytes(), config.encoding)
        reader = _read_jsonl if config.format == "jsonl" else _read_delimited
        records = reader(text, config, bad)
    total = len(records) + len(bad)
    if not records:
        raise IngestError(f"no readable message in {config.path} ({len(bad)} bad rows)")
    if len(bad) > config.max_bad_fraction * total:
        examples = "; ".join(f"{row.location}: {row.reason}" for row in bad[:5])
        raise IngestError(
            f"{len(bad)} of {total} rows in {config.path} are unreadable, more than "
            f"max_bad_fraction = {config.max_bad_fraction}: {examples}"
        )
    frame = pd.DataFrame(records, columns=["origin", "label", "text"])
    frame["y"] = (frame["label"] == config.positive_label).astype("int64")
    return Corpus(frame=frame, bad_rows=tuple(bad), encoding=codec, source=config.path)
