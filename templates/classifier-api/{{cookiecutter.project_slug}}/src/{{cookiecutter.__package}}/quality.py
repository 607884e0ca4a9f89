"""Data-quality checks: what would silently hurt the model is found, acted on, and said.

A real export holds columns that look fine to pandas and mislead the model: a constant
column (a required API field that carries nothing), an identifier (a feature that memorises
rows), numbers written with a decimal comma (read as text, so the model one-hot encodes
prices), a category with hundreds of values, rows without a label. Each check below either
acts (drops or converts a column) or only flags, and its note says what was done and which
``params.yaml`` key changes it; the notes are written into the README's data block, so
nothing happens to the owner's data that the project does not state.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "Note",
    "apply_value_labels",
    "as_text",
    "code_text",
    "convert_numeric_text",
    "drop_missing_target",
    "exclusions",
    "high_cardinality",
    "is_categorical",
    "unnamed_codes",
]

# Below this many rows, a column of distinct values is not evidence of an identifier.
_MIN_ROWS_FOR_ID = 20
_ID_NAME = re.compile(
    r"(?:^|[\W_])(?:id|uuid|guid|key)$|^(?:id|uuid|guid)(?:[\W_]|$)|[a-z]ID$", re.I
)
# Numbers written with a decimal comma, optionally with dots between thousands: 29,85 1.889,50
_DECIMAL_COMMA = re.compile(r"^[+-]?(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?$")
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?$")
# A numeric-looking column is flagged when at least this share of its values are numbers.
_NUMERIC_SHARE = 0.8
# Codes such as 1, 2, A91, A201: short, letters then digits, with no word in them.
_CODE = re.compile(r"^[A-Za-z]{0,3}\d{1,4}$")
_LISTED = 5


@dataclass(frozen=True)
class Note:
    """One finding: which check, which columns, what was done, and how to change it."""

    check: str
    columns: tuple[str, ...]
    action: str
    override: str

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "check": self.check,
            "columns": list(self.columns),
            "action": self.action,
            "override": self.override,
        }


def _listing(values: Iterable[Any], limit: int = _LISTED) -> str:
    items = [str(v) for v in values]
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def _quoted(names: Iterable[str]) -> str:
    return _listing(f"`{name}`" for name in names)


def code_text(value: Any) -> str | None:
    """Return one value as the text it is compared by (``2.0`` as ``2``), None if missing."""
    if value is None or (isinstance(value, float | np.floating) and math.isnan(value)):
        return None
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value).strip()


def as_text(series: pd.Series) -> pd.Series:
    """Return the values as stripped text (``2.0`` read from a float column as ``2``), NaN kept.

    Codes compare as text whatever the source made of them: a CSV column of 1 and 2 is
    integers, the same column with a gap is floats, and a Parquet file may hold either.
    """
    if series.dtype != object or pd.api.types.infer_dtype(series, skipna=True) == "string":
        # One conversion per distinct value rather than per row: a million rows of a few
        # codes take milliseconds instead of seconds. Only where equal values are also of
        # one type: pandas would hash 1, 1.0 and True in a mixed column as one key.
        keys, distinct = pd.factorize(series, use_na_sentinel=True)
        texts = np.array([*(code_text(v) for v in distinct), np.nan], dtype=object)
        converted = texts[keys]
        return pd.Series(converted, index=series.index, dtype="object", name=series.name)
    values = series.astype("object")
    missing = values.isna().to_numpy()
    converted = [np.nan if m else code_text(v) for v, m in zip(values, missing, strict=True)]
    return pd.Series(converted, index=series.index, dtype="object", name=series.name)


def is_categorical(series: pd.Series, forced: Sequence[str]) -> bool:
    """Whether a column is modelled as categories: text, booleans, or configured as codes."""
    if series.name in forced:
        return True
    return not (pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series))


def apply_value_labels(
    frame: pd.DataFrame, labels: Mapping[str, Mapping[str, str]]
) -> tuple[pd.DataFrame, list[Note]]:
    """Replace each labelled column's codes by their names; note codes left without one."""
    frame = frame.copy()
    notes: list[Note] = []
    for column, names in labels.items():
        codes = as_text(frame[column])
        frame[column] = codes.map(
            lambda c, names=names: names.get(c, c) if isinstance(c, str) else c
        )
        seen = set(codes.dropna())
        unnamed = sorted(seen - set(names))
        unused = sorted(set(names) - seen)
        mapping = _listing(f"{code} = {name}" for code, name in names.items() if code in seen)
        notes.append(
            Note(
                "value_labels",
                (column,),
                f"`{column}`: codes shown by name ({mapping}).",
                f"`value_labels.{column}` in params.yaml.",
            )
        )
        if unnamed:
            notes.append(
                Note(
                    "unnamed_codes",
                    (column,),
                    f"`{column}` holds codes `value_labels` does not name: {_listing(unnamed)} "
                    "(shown as they are).",
                    f"name them in `value_labels.{column}`.",
                )
            )
        if unused:
            notes.append(
                Note(
                    "unused_labels",
                    (column,),
                    f"`value_labels.{column}` names codes the data never holds: "
                    f"{_listing(unused)}.",
                    f"check the codes in `value_labels.{column}`.",
                )
            )
    return frame, notes


def drop_missing_target(frame: pd.DataFrame, target: str) -> tuple[pd.DataFrame, list[Note]]:
    """Leave out rows without a target value (empty or missing): they cannot be learned from."""
    text = as_text(frame[target])
    missing = text.isna() | (text == "")
    if not missing.any():
        return frame, []
    kept = frame.loc[~missing.to_numpy()].reset_index(drop=True)
    note = Note(
        "missing_target",
        (target,),
        f"{int(missing.sum()):,} rows have no `{target}` value and were left out.",
        "fill in their target in the data file to use them.",
    )
    return kept, [note]


def convert_numeric_text(
    frame: pd.DataFrame, candidates: Sequence[str]
) -> tuple[pd.DataFrame, list[Note]]:
    """Read text columns of decimal-comma numbers as numbers; flag text that is nearly numeric.

    Only ``candidates`` are looked at: the caller leaves out the target, the columns
    configured as codes and the dropped ones.
    """
    frame = frame.copy()
    converted: list[str] = []
    notes: list[Note] = []
    for column in candidates:
        series = frame[column]
        if is_categorical(series, ()) and not pd.api.types.is_bool_dtype(series):
            values = as_text(series).dropna()
            values = values[values != ""]
            if values.empty:
                continue
            if values.str.match(_DECIMAL_COMMA).all() and values.str.contains(",").any():
                numbers = values.str.replace(".", "", regex=False).str.replace(",", ".")
                frame[column] = pd.to_numeric(numbers, errors="coerce").reindex(frame.index)
                converted.append(column)
                continue
            numeric = values.str.match(_NUMBER)
            if _NUMERIC_SHARE <= numeric.mean() < 1:
                others = sorted(set(values[~numeric]), key=str)
                notes.append(
                    Note(
                        "numeric_text",
                        (column,),
                        f"`{column}` looks numeric but {int((~numeric).sum()):,} of "
                        f"{len(values):,} values are not numbers (e.g. "
                        f"{_listing(repr(v) for v in others)}): kept as categories.",
                        "add those values to `data.csv.missing_values` to read it as "
                        "numbers, or list it in `drop_columns`.",
                    )
                )
    if converted:
        notes.insert(
            0,
            Note(
                "decimal_comma",
                tuple(converted),
                f"Numbers written with a decimal comma were read as numbers: {_quoted(converted)}.",
                'set `data.csv.decimal: ","` to say so, or list a column in '
                "`categorical_columns` to keep it as text.",
            ),
        )
    return frame, notes


def _looks_like_id(series: pd.Series) -> bool:
    values = series.dropna()
    if len(values) < _MIN_ROWS_FOR_ID or values.nunique() != len(values):
        return False
    if not pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
        return True  # every text value distinct: a key, not a property shared by cases
    if not pd.api.types.is_integer_dtype(series):
        return False  # distinct measurements (a price, a ratio) are ordinary
    consecutive = int(values.max()) - int(values.min()) + 1 == len(values)
    return consecutive or bool(_ID_NAME.search(str(series.name)))


def exclusions(
    frame: pd.DataFrame, features: Sequence[str], keep: Sequence[str]
) -> tuple[list[str], list[Note]]:
    """Return the features to leave out (constant or identifier-like), with a note for each kind.

    Columns in ``keep`` (``quality.keep_columns``) are never left out.
    """
    constant: dict[str, str] = {}
    id_like: list[str] = []
    for column in features:
        if column in keep:
            continue
        values = frame[column].dropna()
        if values.nunique() <= 1:
            constant[column] = "empty" if values.empty else f"every row {as_text(values).iloc[0]!r}"
        elif _looks_like_id(frame[column]):
            id_like.append(column)
    notes = []
    if constant:
        described = _listing(f"`{c}` ({why})" for c, why in constant.items())
        notes.append(
            Note(
                "constant",
                tuple(constant),
                f"Constant columns dropped: {described}.",
                "list a column in `quality.keep_columns` to keep it.",
            )
        )
    if id_like:
        notes.append(
            Note(
                "id_like",
                tuple(id_like),
                f"Identifier-like columns excluded (a different value in every row): "
                f"{_quoted(id_like)}.",
                "list a column in `quality.keep_columns` to use it as a feature.",
            )
        )
    return [*constant, *id_like], notes


def high_cardinality(
    frame: pd.DataFrame, categorical: Sequence[str], max_categories: int
) -> list[Note]:
    """Flag categorical features with more values than the encoder keeps apart."""
    counts = {c: int(frame[c].nunique()) for c in categorical}
    many = {c: n for c, n in counts.items() if n > max_categories}
    if not many:
        return []
    described = _listing(f"`{c}` ({n:,} values)" for c, n in many.items())
    return [
        Note(
            "high_cardinality",
            tuple(many),
            f"Categorical columns with many values: {described}. The model keeps the "
            f"{max_categories - 1} most frequent values of each apart and folds the others "
            "into one.",
            "raise `model.max_categories`, or list a column in `drop_columns`.",
        )
    ]


def unnamed_codes(frame: pd.DataFrame, columns: Sequence[str], max_categories: int) -> list[Note]:
    """Flag categorical columns whose values are all short codes (1, 2, A91) with no names."""
    coded = {}
    for column in columns:
        values = sorted(set(as_text(frame[column]).dropna()), key=str)
        if values and len(values) <= max_categories and all(_CODE.match(v) for v in values):
            coded[column] = values
    if not coded:
        return []
    described = _listing(f"`{c}` ({_listing(v, 3)})" for c, v in coded.items())
    column, codes = next(iter(coded.items()))
    # Concatenated, so the braces are plain text rather than f-string fields.
    example = "value_labels: {" + column + ": {" + codes[0] + ": a name}}"
    return [
        Note(
            "unnamed_codes",
            tuple(coded),
            f"Columns shown as codes: {described}.",
            f"name the codes in `value_labels` (e.g. `{example}`).",
        )
    ]
