"""What the report says about the model's inputs: the data as read, and the API's fields.

Both blocks are written from what the data stage recorded (``dataset.json``: how the file
was read, the data-quality notes, the feature schema), so after a switch of dataset the
README's data section, its example request and its table of API fields all describe the
new data, and nothing about the old one survives outside them.
"""

from __future__ import annotations

import json
from typing import Any

from .data import Feature, FeatureSchema
from .delimited import delimiter_name
from .tables import markdown_table

__all__ = ["api_markdown", "data_markdown", "reading_markdown"]

# Categories listed in the README's field table; /docs lists every one.
_LISTED_CATEGORIES = 12
_SPLITS = ("train", "validation", "test")


def reading_markdown(reading: dict[str, Any]) -> str:
    """Describe how the file was read: format, delimiter, encoding, decimal mark, header."""
    if reading.get("format") != "delimited text":
        return str(reading.get("format", "unknown format"))

    def detected(flag: bool) -> str:
        return " (detected)" if flag else ""

    parts = [
        f"{delimiter_name(reading['delimiter'])}-separated{detected(reading['delimiter_detected'])}",
        reading["encoding"]
        + (" with a byte-order mark" if reading["byte_order_mark"] else "")
        + detected(reading["encoding_detected"]),
        "decimal comma" if reading["decimal"] == "," else "decimal point",
    ]
    if reading["thousands"]:
        parts.append(f"thousands separated by {reading['thousands']!r}")
    parts.append("header row" if reading["header"] else "no header row (names from the config)")
    return "delimited text: " + "; ".join(parts)


def data_markdown(data: dict[str, Any]) -> str:
    """Return the data block: source, how it was read, the split, and the quality notes."""
    rows = [[name, data["rows"][name], data["positives"][name]] for name in _SPLITS]
    table = markdown_table(["Split", "Rows", f"Positive ({data['positive_label']})"], rows)
    total = sum(data["rows"].values())
    notes = data.get("quality", [])
    if notes:
        listed = "\n".join(f"- {n['action']} To change it: {n['override']}" for n in notes)
        quality = (
            "**Data quality.** What the checks found and did; each says what to change in "
            f"`params.yaml` to do otherwise.\n\n{listed}"
        )
    else:
        quality = (
            "**Data quality.** Every row has a target; no constant, identifier-like or "
            "numeric-looking text column and no category with many values was found."
        )
    return (
        f"Source: `{data['source']}` ({reading_markdown(data.get('reading', {}))}), "
        f"{data['raw_rows']:,} rows read, {total:,} used; target `{data['target']}`, "
        f"positive value `{data['positive_label']}`. Stratified split:\n\n{table}\n\n{quality}"
    )


def _accepted(feature: Feature) -> str:
    if feature.kind == "numeric":
        if feature.bounds is None or feature.seen is None:
            return "any number"
        low, high = feature.bounds
        return f"{low:g} to {high:g} (training range {feature.seen[0]:g} to {feature.seen[1]:g})"
    if not feature.closed:
        return "any text; the most frequent values are kept apart, the others share one column"
    shown = ", ".join(feature.categories[:_LISTED_CATEGORIES])
    if len(feature.categories) > _LISTED_CATEGORIES:
        shown += f" and {len(feature.categories) - _LISTED_CATEGORIES} more (see /docs)"
    if feature.codes:
        shown += f" (or their codes: {', '.join(feature.codes)})"
    return shown


def _shell_quoted(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


def api_markdown(schema: FeatureSchema) -> str:
    """Return the API block: a curl line with a request built from the data, and the fields."""
    body = json.dumps(schema.example_record(), ensure_ascii=False, allow_nan=False)
    rows = [
        [f"`{f.name}`", "number" if f.kind == "numeric" else "category", _accepted(f)]
        for f in schema.features
    ]
    table = markdown_table(["Field", "Kind", "Accepted (null means unknown)"], rows)
    return (
        "Score one record (each value is the field's median or most frequent value in the "
        "training split):\n\n"
        "    curl -s http://127.0.0.1:8000/predict -H 'content-type: application/json' \\\n"
        f"      -d {_shell_quoted(body)}\n\n"
        "Every field is required (send null when a value is unknown). A number outside its "
        "range or a value outside its list is refused with a 422 naming the field: the "
        "model has seen nothing like it.\n\n"
        f"{table}"
    )
