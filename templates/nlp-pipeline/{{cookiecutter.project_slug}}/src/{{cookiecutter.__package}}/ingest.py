"""Read labelled texts from a file or folder, and account for every row that is not used.

Real text files are messy: an unknown encoding or delimiter, a stray field, an empty text. Rows
that cannot be read are collected with their line number and the reason, reported, and counted
against ``max_bad_fraction``; nothing disappears silently. Labels are stricter still: every raw
label must be mapped to a class or dropped in ``[labels]``, so a class the config forgot stops
the run with its name instead of vanishing as "bad rows".
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .config import AUTO, DELIMITER_NAMES, DataConfig, LabelConfig

__all__ = [
    "BadRow",
    "Corpus",
    "IngestError",
    "decode",
    "detect_delimiter",
    "detect_encoding",
    "read_corpus",
]

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
# Delimiters tried by "auto", in order of preference when two fit equally well.
_CANDIDATES = ("\t", ",", ";", "|", " ")
# Records read to choose the delimiter: enough to see a pattern, few enough to stay instant.
_SNIFF_RECORDS = 200
_SNIFF_CHARS = 1 << 20
_SHOWN_UNKNOWN = 5


class IngestError(ValueError):
    """The corpus cannot be used: missing, empty, unmapped labels, or too many bad rows."""


@dataclass(frozen=True)
class BadRow:
    """One unusable row: where it is (``line 12`` or a file name) and why it was refused."""

    location: str
    reason: str


@dataclass(frozen=True)
class Corpus:
    """The texts read, with every row that was not used and how the file was read.

    ``frame`` has one row per text: ``origin`` (``line N`` or a file name), ``label`` (the raw
    label), ``class`` (the class it maps to), ``text`` (the text columns joined by a newline)
    and ``y`` (the class's code, its position in ``classes``). ``dropped`` counts the rows left
    out by ``[labels] drop``, per raw label.
    """

    frame: pd.DataFrame
    classes: tuple[str, ...]
    bad_rows: tuple[BadRow, ...]
    encoding: str
    source: Path
    delimiter: str | None = None
    delimiter_detected: bool = False
    dropped: dict[str, int] = field(default_factory=dict)


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
    codec = detect_encoding(raw) if encoding == AUTO else encoding
    try:
        text = raw.decode(codec)
    except UnicodeDecodeError as err:
        raise IngestError(
            f"the data is not valid {codec} (byte {err.start}: {raw[err.start : err.end]!r}); "
            'set [data] encoding = "auto" or the file\'s real encoding'
        ) from err
    # utf-8 without a BOM may still start with one when the file was edited on Windows.
    return text.removeprefix("\ufeff"), codec


def _quoting(config: DataConfig) -> int:
    return csv.QUOTE_NONE if config.quoting == "none" else csv.QUOTE_MINIMAL


def _reader(text: str, delimiter: str, config: DataConfig) -> Iterator[list[str]]:
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quoting=_quoting(config))


def _name(delimiter: str) -> str:
    return DELIMITER_NAMES.get(delimiter, repr(delimiter))


def detect_delimiter(text: str, config: DataConfig, labels: LabelConfig) -> str:
    """Return the delimiter of a delimited file: the candidate its first records fit best.

    A candidate fits a record when it splits it into the expected number of fields (the
    header's, or ``len(columns)``) with a label of ``[labels]`` in the label column; with a
    header, it must also split the first line into names that include the text and label
    columns. Candidates are tab, comma, semicolon, pipe and space, preferred in that order on a
    tie. Free text holds spaces and commas, so the label check is what tells a split that
    happens to give the right count from the real one.

    Raises:
        IngestError: no candidate fits half the records; the message shows the first line.

    """
    sample = text[:_SNIFF_CHARS]
    wanted = [*config.text_columns, config.label_column]
    known = {*labels.map, *labels.drop}
    best, best_score = None, 0.0
    for candidate in _CANDIDATES:
        records = [r for r in _first(_reader(sample, candidate, config)) if r and r != [""]]
        columns = list(config.columns)
        if config.header and records:
            columns, records = records[0], records[1:]
            if not set(wanted) <= set(columns):
                continue
        if not records:
            continue
        at = columns.index(config.label_column)
        fits = [len(r) == len(columns) and r[at].strip() in known for r in records]
        score = sum(fits) / len(records)
        if score > best_score:
            best, best_score = candidate, score
    if best is None or best_score < 0.5:
        first = sample.split("\n", 1)[0][:80]
        expected = (
            f"a header with {', '.join(map(repr, wanted))}"
            if config.header
            else f"{len(config.columns)} fields per line"
        )
        raise IngestError(
            f"no delimiter ({', '.join(_name(c) for c in _CANDIDATES)}) gives {expected} and a "
            f"label of [labels] in {config.label_column!r} on most lines (first line: "
            f"{first!r}): set [data] delimiter, header and columns to the file's, and map its "
            "labels in [labels.map]"
        )
    return best


def _first(rows: Iterator[list[str]]) -> Iterator[list[str]]:
    try:
        for number, row in enumerate(rows):
            if number >= _SNIFF_RECORDS:
                return
            yield row
    except csv.Error:
        return  # a record cut by the sample's end; the records before it decide


class _Collector:
    """Turn raw records into texts, bad rows, drops and unknown labels, in one pass."""

    def __init__(self, labels: LabelConfig) -> None:
        self.classes = labels.classes
        self.code = {name: i for i, name in enumerate(self.classes)}
        self.map = labels.map
        self.drop = set(labels.drop)
        self.records: list[tuple[str, str, str, str, int]] = []
        self.bad: list[BadRow] = []
        self.dropped: Counter[str] = Counter()
        self.unknown: Counter[str] = Counter()
        self.first_unknown: dict[str, str] = {}

    def add(self, location: str, label: object, parts: list[object]) -> None:
        if isinstance(label, bool) or not isinstance(label, str | int):
            self.bad.append(BadRow(location, "no label"))
            return
        raw = str(label).strip()
        if not raw:
            self.bad.append(BadRow(location, "empty label"))
            return
        if raw in self.drop:
            self.dropped[raw] += 1
            return
        if raw not in self.map:
            self.unknown[raw] += 1
            self.first_unknown.setdefault(raw, location)
            return
        pieces = [p.strip() for p in parts if isinstance(p, str) and p.strip()]
        if not pieces:
            self.bad.append(BadRow(location, "empty or missing text"))
            return
        name = self.map[raw]
        self.records.append((location, raw, name, "\n".join(pieces), self.code[name]))

    def refuse_unknown(self, source: Path) -> None:
        if not self.unknown:
            return
        shown = [
            f"{label!r} ({count:,} row{'' if count == 1 else 's'}, first at "
            f"{self.first_unknown[label]})"
            for label, count in self.unknown.most_common(_SHOWN_UNKNOWN)
        ]
        more = len(self.unknown) - len(shown)
        noun = "label" if len(self.unknown) == 1 else "labels"
        raise IngestError(
            f"{source.name}: {noun} {', '.join(shown)}{f' and {more} more' if more > 0 else ''} "
            f"not in [labels]: map each to a class in [labels.map], or list it in "
            "[labels] drop to leave its rows out"
        )


def _read_delimited(
    text: str, config: DataConfig, labels: LabelConfig, rows: _Collector
) -> tuple[str, bool]:
    detected = config.delimiter == AUTO
    delimiter = detect_delimiter(text, config, labels) if detected else config.delimiter
    reader = _reader(text, delimiter, config)
    columns = list(config.columns)
    if config.header:
        try:
            columns = next(reader)
        except StopIteration:
            return delimiter, detected
        missing = [c for c in (*config.text_columns, config.label_column) if c not in columns]
        if missing:
            raise IngestError(
                f"the header {columns[:12]} (split at the {_name(delimiter)}) lacks "
                f"{', '.join(map(repr, missing))}: set [data] text_columns and label_column to "
                "names in the header, or delimiter to the file's"
            )
    text_at = [columns.index(c) for c in config.text_columns]
    label_at = columns.index(config.label_column)
    try:
        for row in reader:
            location = f"line {reader.line_num}"
            if not row or row == [""]:
                continue
            if len(row) != len(columns):
                rows.bad.append(BadRow(location, f"{len(row)} fields, expected {len(columns)}"))
                continue
            rows.add(location, row[label_at], [row[i] for i in text_at])
    except csv.Error as err:
        raise IngestError(
            f"cannot parse line {reader.line_num} ({err}): with quotes that are part of the "
            'text, set [data] quoting = "none"'
        ) from err
    return delimiter, detected


def _read_jsonl(text: str, config: DataConfig, rows: _Collector) -> None:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        location = f"line {number}"
        try:
            item = json.loads(line)
        except json.JSONDecodeError as err:
            rows.bad.append(BadRow(location, f"invalid JSON: {err.msg}"))
            continue
        if not isinstance(item, dict):
            rows.bad.append(BadRow(location, "not a JSON object"))
            continue
        rows.add(
            location, item.get(config.label_column), [item.get(c) for c in config.text_columns]
        )


def _read_folder(config: DataConfig, rows: _Collector) -> str:
    codecs_used: set[str] = set()
    folders = sorted(p for p in config.path.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not folders:
        raise IngestError(
            f"{config.path} has no sub-folders: a folder corpus holds one sub-folder of .txt "
            "files per label"
        )
    for folder in folders:
        for file in sorted(folder.glob("*.txt")):
            location = file.relative_to(config.path).as_posix()
            try:
                text, codec = decode(file.read_bytes(), config.encoding)
            except IngestError as err:
                rows.bad.append(BadRow(location, str(err)))
                continue
            codecs_used.add(codec)
            rows.add(location, folder.name, [text])
    return "+".join(sorted(codecs_used)) or "n/a"


def read_corpus(config: DataConfig, labels: LabelConfig) -> Corpus:
    """Read the corpus that ``config`` describes, with the classes ``labels`` makes.

    Raises:
        IngestError: the path does not exist, no text is readable, a header lacks the
            configured columns, no delimiter fits, a raw label is neither mapped nor dropped,
            or more than ``max_bad_fraction`` of the rows are bad.

    """
    if not config.path.exists():
        raise IngestError(
            f"{config.path} does not exist: run `make data` to download the corpus, or set "
            "[data] path in the configuration"
        )
    rows = _Collector(labels)
    delimiter, detected = None, False
    if config.format == "folder":
        if not config.path.is_dir():
            raise IngestError(f'{config.path} is a file: with format = "folder" give a folder')
        codec = _read_folder(config, rows)
    else:
        if config.path.is_dir():
            raise IngestError(
                f'{config.path} is a folder: set [data] format = "folder", or path to a file'
            )
        text, codec = decode(config.path.read_bytes(), config.encoding)
        if config.format == "jsonl":
            _read_jsonl(text, config, rows)
        else:
            delimiter, detected = _read_delimited(text, config, labels, rows)
    rows.refuse_unknown(config.path)
    total = len(rows.records) + len(rows.bad)
    if not rows.records:
        raise IngestError(f"no readable text in {config.path} ({len(rows.bad)} bad rows)")
    if len(rows.bad) > config.max_bad_fraction * total:
        examples = "; ".join(f"{row.location}: {row.reason}" for row in rows.bad[:5])
        raise IngestError(
            f"{len(rows.bad)} of {total} rows in {config.path.name} are unreadable, more than "
            f"[data] max_bad_fraction = {config.max_bad_fraction}: {examples}"
        )
    frame = pd.DataFrame(rows.records, columns=["origin", "label", "class", "text", "y"])
    frame["y"] = frame["y"].astype("int64")
    return Corpus(
        frame=frame,
        classes=rows.classes,
        bad_rows=tuple(rows.bad),
        encoding=codec,
        source=config.path,
        delimiter=delimiter,
        delimiter_detected=detected,
        dropped=dict(rows.dropped),
    )
