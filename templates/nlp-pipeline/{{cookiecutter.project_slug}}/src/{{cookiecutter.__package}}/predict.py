"""Classify texts from a CSV file, a JSONL file or stdin, in batches, as a stream.

Input is read and output written one batch at a time, so memory stays flat whatever the
input size, and results appear while the input is still arriving on a pipe. Each output
record is the input record plus ``label`` (the class given) and ``score``: with two classes
the positive class's score, which the threshold is compared with; with more, the probability
of the class given. Several text columns are joined with a newline, as in training.
"""

from __future__ import annotations

import csv
import itertools
import json
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO

import numpy as np
from tqdm import tqdm

from .persistence import TrainedModel
from .progress import interactive

__all__ = ["FORMATS", "PredictError", "PredictStats", "format_for", "predict_stream"]

FORMATS = ("csv", "jsonl", "text")


class PredictError(ValueError):
    """The input cannot be classified: a missing text column or a malformed record."""


@dataclass(frozen=True)
class PredictStats:
    """How many texts were classified, how many went to each class, and how long it took."""

    texts: int
    seconds: float
    per_class: dict[str, int] = field(default_factory=dict)

    @property
    def per_second(self) -> float:
        """Throughput in texts per second (0 when nothing was classified)."""
        return self.texts / self.seconds if self.seconds > 0 else 0.0


def format_for(name: str) -> str:
    """Return the input format implied by a file name: csv, jsonl, or plain text."""
    lower = name.lower()
    if lower.endswith(".csv"):
        return "csv"
    if lower.endswith((".jsonl", ".ndjson")):
        return "jsonl"
    return "text"


def _records(
    source: TextIO, fmt: str, text_columns: Sequence[str]
) -> tuple[Iterator[dict[str, Any]], list[str]]:
    """Return the records of ``source`` and, for CSV, its column names."""
    if fmt == "csv":
        reader = csv.DictReader(source)
        fields = list(reader.fieldnames or [])
        missing = [c for c in text_columns if c not in fields]
        if missing:
            raise PredictError(
                f"the CSV has no column {missing[0]!r} (columns: {fields}); pass --text-column"
            )
        return iter(reader), fields
    if fmt == "jsonl":

        def parse() -> Iterator[dict[str, Any]]:
            for number, line in enumerate(source, start=1):
                if not line.strip():
                    continue
                try:
                    item = json.loads(line)
                except json.JSONDecodeError as err:
                    raise PredictError(f"line {number}: invalid JSON ({err.msg})") from err
                if not isinstance(item, dict):
                    raise PredictError(f"line {number}: not a JSON object")
                missing = [c for c in text_columns if not isinstance(item.get(c), str)]
                if missing:
                    raise PredictError(f"line {number}: no string field {missing[0]!r}")
                yield item

        return parse(), []
    column = text_columns[0]
    return ({column: line.rstrip("\r\n")} for line in source if line.strip()), []


def _text(record: dict[str, Any], columns: Sequence[str]) -> str:
    parts = (str(record.get(c) or "").strip() for c in columns)
    return "\n".join(part for part in parts if part)


def predict_stream(
    model: TrainedModel,
    source: TextIO,
    sink: TextIO,
    *,
    fmt: str,
    text_columns: Sequence[str] = ("text",),
    batch_size: int = 4096,
) -> PredictStats:
    """Classify every record of ``source`` and write it with its label and score to ``sink``.

    ``text_columns`` name the fields holding the text (plain text input uses the first only).

    Raises:
        PredictError: the format is unknown, the text column is missing or a record is
            malformed (with its line number).

    """
    if fmt not in FORMATS:
        raise PredictError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    columns = list(text_columns) or ["text"]
    records, fields = _records(source, fmt, columns)
    writer = csv.DictWriter(sink, fieldnames=[*fields, "label", "score"]) if fmt == "csv" else None
    if writer is not None:
        writer.writeheader()
    counts: Counter[str] = Counter()
    count = 0
    start = time.perf_counter()
    with tqdm(unit="text", desc="predict", disable=not interactive()) as bar:
        while batch := list(itertools.islice(records, batch_size)):
            texts = [_text(record, columns) for record in batch]
            probabilities = model.probabilities(texts)
            given = model.decide(probabilities)
            column = given if model.threshold is None else np.ones_like(given)
            scores = probabilities[np.arange(len(batch)), column]
            for record, code, score in zip(batch, given.tolist(), scores.tolist(), strict=True):
                label = model.classes[code]
                counts[label] += 1
                out = {**record, "label": label, "score": round(score, 6)}
                if writer is not None:
                    writer.writerow(out)
                elif fmt == "jsonl":
                    sink.write(json.dumps(out, ensure_ascii=False) + "\n")
                else:
                    sink.write(f"{label}\t{score:.6f}\t{record[columns[0]]}\n")
            sink.flush()
            count += len(batch)
            bar.update(len(batch))
    return PredictStats(
        texts=count, seconds=time.perf_counter() - start, per_class=dict(counts.most_common())
    )
