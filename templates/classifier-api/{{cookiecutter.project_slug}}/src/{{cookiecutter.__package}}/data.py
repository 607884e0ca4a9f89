"""Stage 1: load the configured table, check it, and split it into train, validation and test.

The split is written to ``data/processed/`` once, so every later stage reads the same rows and
the test set cannot leak into training or threshold choice: ``train`` never opens
``test.parquet``, and ``evaluate`` opens it once. The feature schema (names, kinds, examples)
written beside the splits is what the API builds its request model from.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from .config import Config, ConfigError, parse_args

__all__ = [
    "MISSING_CATEGORY",
    "Feature",
    "FeatureSchema",
    "Splits",
    "build_schema",
    "describe_source",
    "labels",
    "load_raw",
    "load_split",
    "load_summary",
    "main",
    "prepare_features",
    "prepare_table",
    "run",
    "split_table",
    "subgroup_values",
    "write_splits",
]

log = logging.getLogger(__name__)

SPLITS = ("train", "validation", "test")
# Any other file is read as CSV, whatever its suffix (UCI's "adult.data" is a CSV).
PARQUET_SUFFIXES = (".parquet", ".pq")
MISSING_CATEGORY = "missing"
# Enough category values to document a column in the API schema without bloating it.
_MAX_LISTED_CATEGORIES = 25


@dataclass(frozen=True)
class Feature:
    """One model input: its column name, kind, a typical value, and the values seen."""

    name: str
    kind: str  # "numeric" or "categorical"
    example: float | str | None
    categories: tuple[str, ...] = ()


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

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {"features": [asdict(f) for f in self.features]}

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> FeatureSchema:
        """Rebuild a schema written by ``to_dict``."""
        return cls(
            tuple(
                Feature(
                    name=f["name"],
                    kind=f["kind"],
                    example=f["example"],
                    categories=tuple(f["categories"]),
                )
                for f in values["features"]
            )
        )


@dataclass(frozen=True)
class Splits:
    """The three stratified splits, each holding features, subgroup columns and a 0/1 target."""

    train: pd.DataFrame
    validation: pd.DataFrame
    test: pd.DataFrame


def _read_file(config: Config) -> pd.DataFrame:
    path = config.data.path
    if path is None or not path.is_file():
        raise ConfigError(f"data.path: no file at {path}; check the path in params.yaml")
    if path.suffix.lower() in PARQUET_SUFFIXES:
        return pd.read_parquet(path)
    options = config.data.csv
    return pd.read_csv(
        path,
        header=0 if options.header else None,
        names=list(options.column_names) or None,
        na_values=list(options.missing_values),
        skipinitialspace=True,
        dtype=dict.fromkeys(config.categorical_columns, "str"),
    )


def _fetch_openml(config: Config) -> pd.DataFrame:
    # Imported here: only this source needs it, and tests replace it to stay offline.
    from sklearn.datasets import fetch_openml

    options = config.data.openml
    options.cache_dir.mkdir(parents=True, exist_ok=True)
    bunch = fetch_openml(
        name=options.name,
        version=options.version if options.version is not None else "active",
        data_id=options.data_id,
        data_home=str(options.cache_dir),
        as_frame=True,
        parser="auto",
    )
    return pd.DataFrame(bunch.frame)


def load_raw(config: Config) -> pd.DataFrame:
    """Return the raw table from the configured source.

    Raises:
        ConfigError: the file is missing.

    """
    frame = _read_file(config) if config.data.source == "file" else _fetch_openml(config)
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


def _require_columns(frame: pd.DataFrame, key: str, names: Sequence[str]) -> None:
    missing = [n for n in names if n not in frame.columns]
    if missing:
        raise ConfigError(
            f"{key} names column {missing[0]!r}, which is not in the data; "
            f"available columns: {', '.join(map(str, frame.columns))}"
        )


def _is_categorical(series: pd.Series, forced: Sequence[str]) -> bool:
    if series.name in forced:
        return True
    return not (pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series))


def labels(target: pd.Series, positive_label: str) -> pd.Series:
    """Return 1 where ``target`` equals ``positive_label`` (compared as text), else 0."""
    text = target.astype("str").str.strip()
    return (text == positive_label).astype("int64")


def prepare_table(raw: pd.DataFrame, config: Config) -> pd.DataFrame:
    """Check the configured columns, drop rows without a target and encode the target as 0/1.

    The result keeps the features, the subgroup columns and the target, in that order.

    Raises:
        ConfigError: a configured column is absent, the positive label never occurs, or
            every row has it.

    """
    _require_columns(raw, "target", [config.target])
    _require_columns(raw, "drop_columns", config.drop_columns)
    _require_columns(raw, "categorical_columns", config.categorical_columns)
    _require_columns(raw, "subgroup_columns", config.subgroup_columns)
    frame = raw.dropna(subset=[config.target]).reset_index(drop=True)
    if len(frame) < len(raw):
        log.warning("dropped %d rows without a target value", len(raw) - len(frame))
    y = labels(frame[config.target], config.positive_label)
    if y.sum() in (0, len(y)):
        seen = sorted(frame[config.target].astype("str").str.strip().unique())[:10]
        raise ConfigError(
            f"positive_label {config.positive_label!r} "
            f"{'never occurs' if y.sum() == 0 else 'is the only value'} in column "
            f"{config.target!r}; values seen: {', '.join(seen)}"
        )
    features = [c for c in frame.columns if c != config.target and c not in config.drop_columns]
    if not features:
        raise ConfigError("no feature columns left after removing the target and drop_columns")
    extra = [c for c in config.subgroup_columns if c not in features]
    table = frame[features + extra].copy()
    table[config.target] = y.to_numpy()
    return table


def _feature_columns(table: pd.DataFrame, config: Config) -> list[str]:
    return [c for c in table.columns if c != config.target and c not in config.drop_columns]


def build_schema(table: pd.DataFrame, config: Config) -> FeatureSchema:
    """Describe each feature from the training rows: its kind, a typical value, its categories."""
    features = []
    for name in _feature_columns(table, config):
        column = table[name]
        if _is_categorical(column, config.categorical_columns):
            counts = column.dropna().astype("str").value_counts()
            top = [str(v) for v in counts.index[:_MAX_LISTED_CATEGORIES]]
            features.append(
                Feature(name, "categorical", top[0] if top else None, tuple(sorted(top)))
            )
        else:
            values = pd.to_numeric(column, errors="coerce").dropna()
            example = float(values.median()) if len(values) else None
            features.append(Feature(name, "numeric", example))
    return FeatureSchema(tuple(features))


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
            values = column.astype("object")
            mask = values.isna().to_numpy()
            text = np.where(mask, np.nan, values.astype("str").to_numpy(dtype=object))
            columns[feature.name] = pd.Series(text, index=frame.index, dtype="object")
    return pd.DataFrame(columns, index=frame.index)


def subgroup_values(frame: pd.DataFrame, column: str) -> pd.Series:
    """Return a subgroup column as text, with missing values as their own group."""
    values = frame[column].astype("object")
    return values.where(values.notna(), MISSING_CATEGORY).astype("str")


def split_table(table: pd.DataFrame, config: Config) -> Splits:
    """Split into train, validation and test, stratified by the target, reproducibly.

    Raises:
        ConfigError: a split would be too small to hold both classes.

    """
    y = table[config.target]
    try:
        rest, test = train_test_split(
            table, test_size=config.test_size, stratify=y, random_state=config.random_seed
        )
        train, validation = train_test_split(
            rest,
            test_size=config.validation_size,
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
    path = config.data.path
    if path is None:
        return "no source configured"
    try:
        return path.relative_to(config.paths.root).as_posix()
    except ValueError:
        return path.name


def write_splits(splits: Splits, schema: FeatureSchema, config: Config, raw_rows: int) -> None:
    """Write the splits, the schema and a summary to ``data/processed/``."""
    folder = config.paths.processed
    folder.mkdir(parents=True, exist_ok=True)
    for name in SPLITS:
        getattr(splits, name).to_parquet(folder / f"{name}.parquet", index=False)
    summary = {
        "source": describe_source(config),
        "raw_rows": raw_rows,
        "rows": {name: len(getattr(splits, name)) for name in SPLITS},
        "positives": {name: int(getattr(splits, name)[config.target].sum()) for name in SPLITS},
        "target": config.target,
        "positive_label": config.positive_label,
        "dropped_columns": list(config.drop_columns),
        "schema": schema.to_dict(),
    }
    (folder / "dataset.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")


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
    """Read the summary written with the splits (source, row counts, schema)."""
    path = config.paths.processed / "dataset.json"
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found: run `make data` first")
    summary: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return summary


def run(config: Config) -> Splits:
    """Load, check, split and write the data; return the splits."""
    raw = load_raw(config)
    table = prepare_table(raw, config)
    splits = split_table(table, config)
    schema = build_schema(splits.train, config)
    write_splits(splits, schema, config, raw_rows=len(raw))
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
