"""Classify messages from a CSV file, a JSONL file or stdin, in batches, as a stream.

Input is read and output written one batch at a time, so memory stays flat whatever the
input size, and results appear while the input is still arriving on a pipe. Each output
record is the input record plus ``label`` and ``score``.
"""

from __future__ import annotations

import csv
import itertools
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, TextIO

from tqdm import tqdm

from .models import positive_scores
from .persistence import TrainedModel
from .progress import interactive

__all__ = ["FORMATS", "PredictError", "PredictStats", "format_for", "predict_stream"]

FORMATS = ("csv", "jsonl", "text")


class PredictError(ValueError):
    """The input cannot be classified: a missing text column or a malformed record."""


@dataclass(frozen=True)
class PredictStats:
    """How many messages were classified, how many flagged, and how long it took."""

    messages: int
    flagged: int
    seconds: float

    @property
    def per_second(self) -> float:
        """Throughput in messages per second (0 when nothing was classified)."""
        return self.messages / self.seconds if self.seconds > 0 else 0.0


def format_for(name: str) -> str:
    """Return the input format implied by a file name: csv, jsonl, or plain text."""
    lower = name.lower()
    if lower.endswith(".csv"):
        return "csv"
    if lower.endswith((".jsonl", ".ndjson")):
        return "jsonl"
    return "text"


def _records(
    source: TextIO, fmt: str, text_column: str
) -> tuple[Iterator[dict[str, Any]], list[str]]:
    """Return the records of ``source`` and, for CSV, its column names."""
    if fmt == "csv":
        reader = csv.DictReader(source)
        fields = list(reader.fieldnames or [])
        if text_column not in fields:
            raise PredictError(
                f"the CSV has no column {text_column!r} (columns: {fields}); pass --text-column"
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
                if not isinstance(item, dict) or not isinstance(item.get(text_column), str):
                    raise PredictError(f"line {number}: no string field {text_column!r}")
                yield item

        return parse(), []
    return ({text_column: line.rstrip("\r\n")} for line in source if line.strip()), []


def predict_stream(
    model: TrainedModel,
    source: TextIO,
    sink: TextIO,
    *,
    fmt: str,
    text_column: str = "text",
    batch_size: int = 4096,
) -> PredictStats:
    """Classify every record of ``source`` and write it with its label and score to ``sink``.

    Raises:
        PredictError: the format is unknown, the text column is missing or a record is
            malformed (with its line number).

    """
    if fmt not in FORMATS:
        raise PredictError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    records, fields = _records(source, fmt, text_column)
    writer = csv.DictWriter(sink, fieldnames=[*fields, "label", "score"]) if fmt == "csv" else None
    if writer is not None:
        writer.writeheader()
    labels = (model.negative_label, model.positive_label)
    count = flagged = 0
    start = time.perf_counter()
    with tqdm(unit="msg", desc="predict", disable=not interactive()) as bar:
        while batch := list(itertools.islice(records, batch_size)):
            texts = [str(record.get(text_column) or "") for record in batch]
            scores = positive_scores(model.pipeline, texts)
            decisions = scores >= model.threshold
            for record, score, decision in zip(
                batch, scores.tolist(), decisions.tolist(), strict=True
            ):
                out = {**record, "label": labels[int(decision)], "score": round(score, 6)}
                if writer is not None:
                    writer.writerow(out)
                elif fmt == "jsonl":
                    sink.write(json.dumps(out, ensure_ascii=False) + "\n")
                else:
                    sink.write(f"{out['label']}\t{out['score']:.6f}\t{record[text_column]}\n")
            sink.flush()
            count += len(batch)
            flagged += int(decisions.sum())
            bar.update(len(batch))
    return PredictStats(messages=count, flagged=flagged, seconds=time.perf_counter() - start)
