"""Stage 1: load the configured table, check it, and split it into train, validation and test.

The split is written to ``data/processed/`` once, so every later stage reads the same rows and
the test set cannot leak into training or threshold choice: ``train`` never opens
``test.parquet``, and ``evaluate`` opens it once. Before the split, the data-quality checks
(``quality.py``) drop what would mislead the model and note what they did; how the file was
read and those notes go into the summary the README's data block is written from. The
feature schema (names, kinds, examples, accepted values) written beside the splits is what
the API builds its request model from.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from sklearn.model_selection import train_test_split

from . import quality
from .config import Config, ConfigError, parse_args
from .delimited import read_delimited
from .quality import Note, as_text, is_categorical

__all__ = [
    "MAX_ENUM_CATEGORIES",
    "MISSING_CATEGORY",
    "RANGE_MARGIN",
    "Feature",
    "FeatureSchema",
    "Prepared",
    "Splits",
    "build_schema",
    "describe_source",
    "labels",
    "load_raw",
    "load_split",
    "load_summary",
    "main",
    "prepare",
    "prepare_features",
    "request_bounds",
    "run",
    "split_table",
    "subgroup_values",
    "write_splits",
]

log = logging.getLogger(__name__)

SPLITS = ("train", "validation", "test")
# Any other file is read as delimited text, whatever its suffix (UCI's "adult.data" is one).
PARQUET_SUFFIXES = (".parquet", ".pq")
MISSING_CATEGORY = "missing"
# A categorical API field lists its accepted values up to this many; beyond, it takes any text
# (the encoder folds values it does not keep apart into one column anyway).
MAX_ENUM_CATEGORIES = 200
# The API accepts a number within the training range widened by this share of its width on
# each side (never below 0 for a column that is never negative): beyond that, the model has
# seen nothing like it and the value is far more likely a unit or typing error than a case.
RANGE_MARGIN = 0.5


@dataclass(frozen=True)
class Feature:
    """One model input: its column name, kind, a typical value, and what a request may hold.

    ``categories`` are the values seen in training (their names, where ``value_labels``
    names the codes); ``closed`` says a request must use one of them; ``codes`` maps each
    code to its name, so a request may send either. ``seen`` is a numeric column's training
    range and ``bounds`` the range a request may use (``request_bounds``).
    """

    name: str
    kind: str  # "numeric" or "categorical"
    example: float | int | str | None
    categories: tuple[str, ...] = ()
    closed: bool = False
    codes: dict[str, str] = field(default_factory=dict)
    seen: tuple[float, float] | None = None
    bounds: tuple[float, float] | None = None


@dataclass(frozen=True)
class FeatureSchema:
    """The model's inputs in column order; saved with the splits and with the model."""

    features: tuple[Feature, ...]

    @property
    def names(self) -> list[str]:
        """Feature names in the order the model expects them."""
        return [f.name for f in self.features]

    @property
    def numeric(self) -> list[str]:
        """Names of the numeric features."""
        return [f.name for f in self.features if f.kind == "numeric"]

    @property
    def categorical(self) -> list[str]:
        """Names of the categorical features."""
        return [f.name for f in self.features if f.kind == "categorical"]

    def example_record(self) -> dict[str, Any]:
        """Return one request body: each feature's typical value."""
        return {f.name: f.example for f in self.features}

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {"features": [asdict(f) for f in self.features]}

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> FeatureSchema:
        """Rebuild a schema written by ``to_dict``."""

        def pair(value: Any) -> tuple[float, float] | None:
            return None if value is None else (float(value[0]), float(value[1]))

        return cls(
            tuple(
                Feature(
                    name=f["name"],
                    kind=f["kind"],
                    example=f["example"],
                    categories=tuple(f["categories"]),
                    closed=bool(f["closed"]),
                    codes=dict(f["codes"]),
                    seen=pair(f["seen"]),
                    bounds=pair(f["bounds"]),
                )
                for f in values["features"]
            )
        )


@dataclass(frozen=True)
class Prepared:
    """The checked table: features, subgroup columns and a 0/1 target, with what was done."""

    table: pd.DataFrame
    features: tuple[str, ...]
    notes: tuple[Note, ...]


@dataclass(frozen=True)
class Splits:
    """The three stratified splits, each holding features, subgroup columns and a 0/1 target."""

    train: pd.DataFrame
    validation: pd.DataFrame
    test: pd.DataFrame


def _read_file(config: Config) -> tuple[pd.DataFrame, dict[str, Any]]:
    path = config.data_path
    if path is None or not path.is_file():
        raise ConfigError(
            f"data.path: no file at {config.data.path}; check the path in params.yaml"
        )
    if path.suffix.lower() in PARQUET_SUFFIXES:
        return pd.read_parquet(path), {"format": "Parquet"}
    frame, info = read_delimited(
        path, config.data.csv, text_columns=[*config.text_columns, config.target]
    )
    return frame, info.to_dict()


def _fetch_openml(config: Config) -> pd.DataFrame:
    # Imported here: only this source needs it, and tests replace it to stay offline.
    from sklearn.datasets import fetch_openml

    options = config.data.openml
    config.openml_cache.mkdir(parents=True, exist_ok=True)
    bunch = fetch_openml(
        name=options.name,
        version=options.version if options.version is not None else "active",
        data_id=options.data_id,
        data_home=str(config.openml_cache),
        as_frame=True,
        parser="auto",
    )
    return pd.DataFrame(bunch.frame)


def load_raw(config: Config) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Return the raw table from the configured source, and how it was read.

    Raises:
        ConfigError: the file is missing or cannot be read with the ``data.csv`` settings.

    """
    if config.data.source == "file":
        frame, reading = _read_file(config)
    else:
        frame, reading = _fetch_openml(config), {"format": "OpenML"}
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame, reading


def _require_columns(frame: pd.DataFrame, key: str, names: Sequence[str]) -> None:
    missing = [n for n in names if n not in frame.columns]
    if not missing:
        return
    columns = [str(c) for c in frame.columns]
    hint = ""
    if sum(_is_number(c) for c in columns) * 2 >= len(columns):
        hint = (
            "; the first row looks like data: set data.csv.header: false and list the "
            "columns in data.csv.column_names"
        )
    shown = ", ".join(columns[:30]) + (
        f" and {len(columns) - 30} more" if len(columns) > 30 else ""
    )
    raise ConfigError(
        f"{key} names column {missing[0]!r}, which is not in the data; available columns: "
        f"{shown}{hint}"
    )


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def labels(target: pd.Series, positive_label: str) -> pd.Series:
    """Return 1 where ``target`` equals ``positive_label`` (compared as text), else 0."""
    return (as_text(target) == positive_label).astype("int64")


def _target_notes(target: pd.Series, config: Config) -> list[Note]:
    values = sorted(set(as_text(target).dropna()) - {config.positive_label})
    if len(values) <= 1:
        return []
    return [
        Note(
            "target_values",
            (config.target,),
            f"`{config.target}` holds {len(values) + 1} values: `{config.positive_label}` counts "
            f"as positive, all others ({', '.join(f'`{v}`' for v in values[:5])}"
            f"{', ...' if len(values) > 5 else ''}) as negative.",
            "change `positive_label`, or clean the target column if some values are typos.",
        )
    ]


def prepare(raw: pd.DataFrame, config: Config) -> Prepared:
    """Check the configured columns, run the data-quality checks and encode the target as 0/1.

    The table keeps the features, the subgroup columns and the target, in that order.

    Raises:
        ConfigError: a configured column is absent, the positive label never occurs, or
            every row has it, or no feature is left.

    """
    _require_columns(raw, "target", [config.target])
    for key, names in (
        ("drop_columns", config.drop_columns),
        ("categorical_columns", config.categorical_columns),
        ("subgroup_columns", config.subgroup_columns),
        ("value_labels", list(config.value_labels)),
        ("quality.keep_columns", config.quality.keep_columns),
    ):
        _require_columns(raw, key, names)
    frame, notes = quality.drop_missing_target(raw, config.target)
    frame, label_notes = quality.apply_value_labels(frame, config.value_labels)
    y = labels(frame[config.target], config.positive_label)
    if y.sum() in (0, len(y)):
        seen = sorted(as_text(frame[config.target]).dropna().unique())[:10]
        raise ConfigError(
            f"positive_label {config.positive_label!r} "
            f"{'never occurs' if y.sum() == 0 else 'is the only value'} in column "
            f"{config.target!r}; values seen: {', '.join(seen) or 'none'}"
        )
    notes += _target_notes(frame[config.target], config) + label_notes
    candidates = [c for c in frame.columns if c != config.target and c not in config.drop_columns]
    frame, numeric_notes = quality.convert_numeric_text(
        frame, [c for c in candidates if c not in config.text_columns]
    )
    excluded, exclusion_notes = quality.exclusions(frame, candidates, config.quality.keep_columns)
    features = [c for c in candidates if c not in excluded]
    if not features:
        raise ConfigError(
            "no feature columns left after removing the target, drop_columns and the columns "
            "the data-quality checks excluded (keep one with quality.keep_columns)"
        )
    categorical = [c for c in features if is_categorical(frame[c], config.text_columns)]
    unlabelled = [
        c
        for c in dict.fromkeys([*categorical, *config.subgroup_columns])
        if c not in config.value_labels
    ]
    notes += numeric_notes + exclusion_notes
    notes += quality.high_cardinality(frame, categorical, config.model.max_categories)
    notes += quality.unnamed_codes(frame, unlabelled, config.model.max_categories)
    extra = [c for c in config.subgroup_columns if c not in features]
    table = frame[features + extra].copy()
    table[config.target] = y.to_numpy()
    return Prepared(table=table, features=tuple(features), notes=tuple(notes))


def request_bounds(low: float, high: float) -> tuple[float, float]:
    """Return the range a request may use for a number seen between ``low`` and ``high``.

    The training range widened by ``RANGE_MARGIN`` of its width on each side, not below 0
    when no training value is negative, rounded outwards to two significant figures of the
    width so the API documentation shows plain numbers.
    """
    width = high - low or max(abs(high), 1.0)
    lower, upper = low - RANGE_MARGIN * width, high + RANGE_MARGIN * width
    if low >= 0:
        lower = max(lower, 0.0)
    step = 10.0 ** (math.floor(math.log10(width)) - 1)
    # Rounded again: a multiple of 0.1 is not exact in binary (15 * 0.1 is 1.5000000000000002).
    return round(math.floor(lower / step) * step, 12), round(math.ceil(upper / step) * step, 12)


def _numeric_feature(name: str, column: pd.Series) -> Feature:
    values = pd.to_numeric(column, errors="coerce").dropna()
    if values.empty:
        return Feature(name, "numeric", None)
    median = float(values.median())
    whole = bool((values == values.round()).all())
    rounded = float(f"{median:.4g}")
    example: float | int = round(median) if whole or rounded.is_integer() else rounded
    low, high = float(values.min()), float(values.max())
    return Feature(name, "numeric", example, seen=(low, high), bounds=request_bounds(low, high))


def _categorical_feature(name: str, column: pd.Series, codes: dict[str, str]) -> Feature:
    counts = as_text(column).dropna().value_counts()
    values = sorted(str(v) for v in counts.index)
    closed = len(values) <= MAX_ENUM_CATEGORIES
    example = str(counts.index[0]) if len(counts) else None
    return Feature(
        name,
        "categorical",
        example,
        categories=tuple(values if closed else values[:MAX_ENUM_CATEGORIES]),
        closed=closed,
        codes={code: label for code, label in codes.items() if label in values},
    )


def build_schema(train: pd.DataFrame, features: Sequence[str], config: Config) -> FeatureSchema:
    """Describe each feature from the training rows: kind, typical value, accepted values."""
    described = []
    for name in features:
        column = train[name]
        if is_categorical(column, config.text_columns):
            described.append(_categorical_feature(name, column, config.value_labels.get(name, {})))
        else:
            described.append(_numeric_feature(name, column))
    return FeatureSchema(tuple(described))


def prepare_features(frame: pd.DataFrame, schema: FeatureSchema) -> pd.DataFrame:
    """Return the model's input frame: numeric columns as float, categorical as text or NaN.

    Every stage and the API pass rows through here, so the model sees one representation
    whatever the source (CSV, Parquet, JSON): numbers as ``float64`` and categories as
    Python strings in an ``object`` column, with ``NaN`` for missing.

    Raises:
        KeyError: a feature column is absent.

    """
    columns: dict[str, Any] = {}
    for feature in schema.features:
        column = frame[feature.name]
        if feature.kind == "numeric":
            columns[feature.name] = pd.to_numeric(column, errors="coerce").astype("float64")
        else:
            columns[feature.name] = as_text(column)
    return pd.DataFrame(columns, index=frame.index)


def subgroup_values(frame: pd.DataFrame, column: str) -> pd.Series:
    """Return a subgroup column as text, with missing values as their own group."""
    return as_text(frame[column]).fillna(MISSING_CATEGORY).astype("str")


def split_table(table: pd.DataFrame, config: Config) -> Splits:
    """Split into train, validation and test, stratified by the target, reproducibly.

    Raises:
        ConfigError: a split would be too small to hold both classes.

    """
    y = table[config.target]
    try:
        rest, test = train_test_split(
            table, test_size=config.split.test_size, stratify=y, random_state=config.random_seed
        )
        train, validation = train_test_split(
            rest,
            test_size=config.split.validation_size,
            stratify=rest[config.target],
            random_state=config.random_seed,
        )
    except ValueError as err:
        raise ConfigError(
            f"split: cannot split {len(table)} rows stratified by the target ({err}); "
            "use more data or larger split.test_size and split.validation_size"
        ) from err
    return Splits(
        train=train.reset_index(drop=True),
        validation=validation.reset_index(drop=True),
        test=test.reset_index(drop=True),
    )


def describe_source(config: Config) -> str:
    """Return where the data came from, for the report."""
    if config.data.source == "openml":
        options = config.data.openml
        if options.data_id is not None:
            return f"OpenML dataset id {options.data_id}"
        return f"OpenML dataset {options.name!r} (version {options.version or 'active'})"
    path = config.data_path
    if path is None:
        return "no source configured"
    try:
        return path.resolve().relative_to(config.paths.root.resolve()).as_posix()
    except ValueError:
        return path.name


def write_splits(
    splits: Splits,
    schema: FeatureSchema,
    config: Config,
    *,
    raw_rows: int,
    reading: dict[str, Any],
    notes: Sequence[Note],
) -> None:
    """Write the splits, the schema and a summary to ``data/processed/``."""
    folder = config.paths.processed
    folder.mkdir(parents=True, exist_ok=True)
    for name in SPLITS:
        getattr(splits, name).to_parquet(folder / f"{name}.parquet", index=False)
    summary = {
        "source": describe_source(config),
        "reading": reading,
        "raw_rows": raw_rows,
        "rows": {name: len(getattr(splits, name)) for name in SPLITS},
        "positives": {name: int(getattr(splits, name)[config.target].sum()) for name in SPLITS},
        "target": config.target,
        "positive_label": config.positive_label,
        "dropped_columns": list(config.drop_columns),
        "quality": [note.to_dict() for note in notes],
        "schema": schema.to_dict(),
    }
    (folder / "dataset.json").write_text(
        json.dumps(summary, indent=2, allow_nan=False) + "\n", encoding="utf-8"
    )


def load_split(config: Config, name: str) -> pd.DataFrame:
    """Read one split written by this stage.

    Raises:
        FileNotFoundError: the data stage has not run (the message says to run ``make data``).

    """
    path = config.paths.processed / f"{name}.parquet"
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found: run `make data` first")
    return pd.read_parquet(path)


def load_summary(config: Config) -> dict[str, Any]:
    """Read the summary written with the splits (source, row counts, quality notes, schema)."""
    path = config.paths.processed / "dataset.json"
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found: run `make data` first")
    summary: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return summary


def run(config: Config) -> Splits:
    """Load, check, split and write the data; return the splits."""
    raw, reading = load_raw(config)
    prepared = prepare(raw, config)
    for note in prepared.notes:
        log.warning("data quality: %s To change it: %s", note.action, note.override)
    splits = split_table(prepared.table, config)
    schema = build_schema(splits.train, prepared.features, config)
    write_splits(splits, schema, config, raw_rows=len(raw), reading=reading, notes=prepared.notes)
    return splits


def main(argv: Sequence[str] | None = None) -> None:
    """Command line entry point: ``python -m <package>.data [--config params.yaml]``."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    config = parse_args(__doc__ or "", argv)
    try:
        splits = run(config)
    except ConfigError as err:
        raise SystemExit(f"error: {err}") from err
    log.info(
        "wrote %d train, %d validation and %d test rows to %s",
        len(splits.train),
        len(splits.validation),
        len(splits.test),
        Path(config.paths.processed),
    )


if __name__ == "__main__":
    main()
