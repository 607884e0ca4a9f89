"""Load and validate ``params.yaml``, the one file a user edits to point the pipeline at data.

Every key is checked before any work starts, so a typo fails in a second with a message that
names the key and what it accepts, instead of an hour later inside scikit-learn. Paths in the
file are relative to the file's folder, which is also the project root the stages write into.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .costs import ErrorCosts

__all__ = [
    "DEFAULT_CONFIG",
    "Config",
    "ConfigError",
    "CsvOptions",
    "DataConfig",
    "OpenMLOptions",
    "Paths",
    "load_config",
    "parse_args",
    "parse_config",
]

DEFAULT_CONFIG = Path("params.yaml")
SOURCES = ("file", "openml")
SELECTION_METRICS = ("roc_auc", "average_precision", "neg_brier_score")


class ConfigError(ValueError):
    """The configuration file is missing, unreadable, or holds a bad key or value."""


@dataclass(frozen=True)
class CsvOptions:
    """How to read a CSV file: header row, column names, extra missing-value markers."""

    header: bool
    column_names: tuple[str, ...]
    missing_values: tuple[str, ...]


@dataclass(frozen=True)
class OpenMLOptions:
    """Which OpenML dataset to fetch, and where scikit-learn caches the download."""

    name: str | None
    version: int | None
    data_id: int | None
    cache_dir: Path


@dataclass(frozen=True)
class DataConfig:
    """Where the raw table comes from."""

    source: str
    path: Path | None
    csv: CsvOptions
    openml: OpenMLOptions


@dataclass(frozen=True)
class Paths:
    """Where each stage reads and writes, all under the project root."""

    root: Path
    config_file: Path

    @property
    def processed(self) -> Path:
        """Splits and scores written by the pipeline (git-ignored, rebuilt by ``make all``)."""
        return self.root / "data" / "processed"

    @property
    def models(self) -> Path:
        """The trained model and its metadata."""
        return self.root / "models"

    @property
    def reports(self) -> Path:
        """``metrics.json`` and ``figures/``, committed so the README's numbers have a source."""
        return self.root / "reports"

    @property
    def figures(self) -> Path:
        """PNG figures embedded in the README."""
        return self.reports / "figures"


@dataclass(frozen=True)
class Config:
    """The validated configuration; see ``params.yaml`` for what each field means."""

    data: DataConfig
    target: str
    positive_label: str
    positive_name: str
    negative_name: str
    case_name: str
    drop_columns: tuple[str, ...]
    categorical_columns: tuple[str, ...]
    subgroup_columns: tuple[str, ...]
    costs: ErrorCosts
    currency: str
    cases_per_period: int
    period: str
    test_size: float
    validation_size: float
    cv_folds: int
    selection_metric: str
    n_jobs: int
    bootstrap_resamples: int
    confidence: float
    random_seed: int
    paths: Paths


class _Section:
    """A mapping being validated, which knows its dotted path for error messages."""

    def __init__(self, values: Any, path: str, allowed: Sequence[str]) -> None:
        self.path = path
        where = path or "the top level"
        if not isinstance(values, Mapping):
            raise ConfigError(f"{where} must be a mapping of keys to values")
        unknown = sorted(str(key) for key in values if key not in allowed)
        if unknown:
            raise ConfigError(
                f"unknown key {self._key(unknown[0])!r} in {where}; "
                f"allowed keys: {', '.join(allowed)}"
            )
        self.values = values

    def _key(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def _get(self, key: str, default: Any) -> Any:
        return self.values.get(key, default)

    def section(self, key: str, allowed: Sequence[str]) -> _Section:
        return _Section(self._get(key, {}) or {}, self._key(key), allowed)

    def string(self, key: str, default: str | None = None) -> str:
        value = self._get(key, default)
        if value is None:
            raise ConfigError(f"{self._key(key)} is required")
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise ConfigError(f"{self._key(key)} must be a text value, got {value!r}")
        text = str(value).strip()
        if not text:
            raise ConfigError(f"{self._key(key)} must not be empty")
        return text

    def optional_string(self, key: str) -> str | None:
        return None if self._get(key, None) is None else self.string(key)

    def choice(self, key: str, choices: Sequence[str], default: str) -> str:
        value = self._get(key, default)
        if value not in choices:
            raise ConfigError(
                f"{self._key(key)} is {value!r}; allowed values: {', '.join(choices)}"
            )
        return str(value)

    def boolean(self, key: str, default: bool) -> bool:
        value = self._get(key, default)
        if not isinstance(value, bool):
            raise ConfigError(f"{self._key(key)} must be true or false, got {value!r}")
        return value

    def strings(self, key: str) -> tuple[str, ...]:
        value = self._get(key, []) or []
        if isinstance(value, str) or not isinstance(value, list):
            raise ConfigError(f"{self._key(key)} must be a list, e.g. [a, b], got {value!r}")
        items = []
        for item in value:
            if isinstance(item, bool) or not isinstance(item, str | int | float):
                raise ConfigError(f"{self._key(key)} must hold text values, got {item!r}")
            items.append(str(item))
        duplicates = sorted({item for item in items if items.count(item) > 1})
        if duplicates:
            raise ConfigError(f"{self._key(key)} lists {duplicates[0]!r} more than once")
        return tuple(items)

    def integer(self, key: str, default: int | None, *, minimum: int) -> int:
        value = self._get(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{self._key(key)} must be a whole number, got {value!r}")
        if value < minimum:
            raise ConfigError(f"{self._key(key)} must be at least {minimum}, got {value}")
        return value

    def optional_integer(self, key: str, *, minimum: int) -> int | None:
        return None if self._get(key, None) is None else self.integer(key, None, minimum=minimum)

    def number(self, key: str, default: float | None, *, low: float, high: float) -> float:
        """Return a finite number with ``low <= value <= high``."""
        value = self._get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(f"{self._key(key)} must be a number, got {value!r}")
        if not math.isfinite(value) or not low <= value <= high:
            raise ConfigError(f"{self._key(key)} must be between {low} and {high}, got {value}")
        return float(value)

    def fraction(self, key: str, default: float) -> float:
        value = self.number(key, default, low=0.0, high=1.0)
        if value in (0.0, 1.0):
            raise ConfigError(f"{self._key(key)} must be strictly between 0 and 1, got {value}")
        return value


def _data(raw: _Section, root: Path) -> DataConfig:
    section = raw.section("data", ("source", "path", "csv", "openml"))
    source = section.choice("source", SOURCES, "file")
    csv = section.section("csv", ("header", "column_names", "missing_values"))
    openml = section.section("openml", ("name", "version", "data_id", "cache_dir"))
    csv_options = CsvOptions(
        header=csv.boolean("header", True),
        column_names=csv.strings("column_names"),
        missing_values=csv.strings("missing_values"),
    )
    if not csv_options.header and not csv_options.column_names:
        raise ConfigError(
            "data.csv.header is false, so data.csv.column_names must list the columns"
        )
    openml_options = OpenMLOptions(
        name=openml.optional_string("name"),
        version=openml.optional_integer("version", minimum=1),
        data_id=openml.optional_integer("data_id", minimum=1),
        cache_dir=root / openml.string("cache_dir", "data/raw/openml"),
    )
    path = None
    if source == "file":
        path = root / section.string("path")
    elif (openml_options.name is None) == (openml_options.data_id is None):
        raise ConfigError(
            "data.source is openml: give exactly one of data.openml.name or data.openml.data_id"
        )
    return DataConfig(source=source, path=path, csv=csv_options, openml=openml_options)


_TOP_LEVEL = (
    "data",
    "target",
    "positive_label",
    "positive_name",
    "negative_name",
    "case_name",
    "drop_columns",
    "categorical_columns",
    "subgroup_columns",
    "costs",
    "cases_per_period",
    "period",
    "split",
    "model",
    "evaluation",
    "random_seed",
)


def parse_config(values: Any, root: Path, config_file: Path | None = None) -> Config:
    """Validate the parsed YAML ``values``; paths in it are relative to ``root``.

    ``config_file`` is where the values came from (``root/params.yaml`` if not given); the
    report records its hash as one of the inputs of the numbers.

    Raises:
        ConfigError: a key is unknown or missing, or a value has the wrong type or range.

    """
    raw = _Section(values, "", _TOP_LEVEL)
    target = raw.string("target")
    drop_columns = raw.strings("drop_columns")
    if target in drop_columns:
        raise ConfigError(f"drop_columns lists the target {target!r}; remove it from the list")
    costs = raw.section("costs", ("false_positive", "false_negative", "currency"))
    try:
        error_costs = ErrorCosts(
            false_positive=costs.number("false_positive", None, low=0.0, high=math.inf),
            false_negative=costs.number("false_negative", None, low=0.0, high=math.inf),
        )
    except ValueError as err:
        raise ConfigError(f"costs: {err}") from err
    split = raw.section("split", ("test_size", "validation_size"))
    model = raw.section("model", ("cv_folds", "selection_metric", "n_jobs"))
    evaluation = raw.section("evaluation", ("bootstrap_resamples", "confidence"))
    return Config(
        data=_data(raw, root),
        target=target,
        positive_label=raw.string("positive_label"),
        positive_name=raw.string("positive_name", "positives"),
        negative_name=raw.string("negative_name", "negatives"),
        case_name=raw.string("case_name", "cases"),
        drop_columns=drop_columns,
        categorical_columns=raw.strings("categorical_columns"),
        subgroup_columns=raw.strings("subgroup_columns"),
        costs=error_costs,
        currency=costs.string("currency", "EUR"),
        cases_per_period=raw.integer("cases_per_period", 10_000, minimum=1),
        period=raw.string("period", "month"),
        test_size=split.fraction("test_size", 0.2),
        validation_size=split.fraction("validation_size", 0.2),
        cv_folds=model.integer("cv_folds", 5, minimum=2),
        selection_metric=model.choice("selection_metric", SELECTION_METRICS, "roc_auc"),
        n_jobs=model.integer("n_jobs", 1, minimum=1),
        bootstrap_resamples=evaluation.integer("bootstrap_resamples", 1000, minimum=100),
        confidence=evaluation.fraction("confidence", 0.95),
        random_seed=raw.integer("random_seed", 42, minimum=0),
        paths=Paths(root, config_file or root / DEFAULT_CONFIG),
    )


def load_config(path: str | Path = DEFAULT_CONFIG) -> Config:
    """Read and validate the YAML file at ``path``.

    Raises:
        ConfigError: the file is missing or not YAML, or a key or value is invalid.

    """
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as err:
        raise ConfigError(f"cannot read the configuration {file}: {err.strerror}") from err
    try:
        values = yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise ConfigError(f"{file} is not valid YAML: {err}") from err
    try:
        return parse_config(values, file.resolve().parent, file.resolve())
    except ConfigError as err:
        raise ConfigError(f"{file}: {err}") from err


def parse_args(description: str, argv: Sequence[str] | None = None) -> Config:
    """Parse the ``--config`` option every stage takes and load that file.

    Raises:
        SystemExit: the configuration is invalid (the message names the key).

    """
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--config", type=Path, default=DEFAULT_CONFIG, help="the YAML configuration file"
    )
    args = parser.parse_args(argv)
    try:
        return load_config(args.config)
    except ConfigError as err:
        parser.exit(2, f"error: {err}\n")
