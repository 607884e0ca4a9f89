"""Load and validate ``params.yaml``, the one file a user edits to point the pipeline at data.

Every key is checked before any work starts, by the strict models below (``settings.py``:
an unknown key, a wrong type or a value out of range is one line naming the key, the value
and what is accepted), so a typo fails in a second instead of an hour later inside
scikit-learn. Paths in the file are relative to the file's folder, which is also the project
root the stages write into.
"""

from __future__ import annotations

import argparse
import codecs
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, PrivateAttr, ValidationInfo, model_validator

from .costs import ErrorCosts
from .settings import (
    ConfigError,
    ConfigPath,
    StrictModel,
    StrTuple,
    read_config_file,
    validate_config,
)

__all__ = [
    "DEFAULT_CONFIG",
    "DELIMITER_NAMES",
    "Config",
    "ConfigError",
    "CostsConfig",
    "CsvOptions",
    "DataConfig",
    "OpenMLOptions",
    "Paths",
    "load_config",
    "parse_args",
    "parse_config",
]

DEFAULT_CONFIG = Path("params.yaml")
#: Names a user may write instead of the character itself (a tab is hard to see in YAML).
DELIMITER_NAMES = {"comma": ",", "semicolon": ";", "tab": "\t", "pipe": "|", "space": " "}
AUTO = "auto"


def _as_code(value: Any) -> Any:
    """Read a value the data holds (a code, a label) as text; YAML reads ``2`` as a number."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str):
        return value.strip()
    raise ValueError(f"must be text or a whole number, got {value!r}")


def _delimiter(value: Any) -> Any:
    return DELIMITER_NAMES.get(value, value) if isinstance(value, str) else value


#: A value as the data holds it: text, or a whole number read as its text.
Code = Annotated[str, BeforeValidator(_as_code), Field(min_length=1)]
Text = Annotated[str, Field(min_length=1)]
FiniteFloat = Annotated[float, Field(allow_inf_nan=False)]
Fraction = Annotated[float, Field(gt=0, lt=1)]
Delimiter = Annotated[
    Literal["auto", ",", ";", "\t", "|", " ", "whitespace"], BeforeValidator(_delimiter)
]


class CsvOptions(StrictModel):
    """How to read a delimited text file (any file that is not Parquet)."""

    delimiter: Delimiter = AUTO
    encoding: Text = AUTO
    decimal: Literal[".", ","] = "."
    thousands: Literal[",", ".", " ", "'", "_"] | None = None
    header: bool = True
    column_names: StrTuple = ()
    missing_values: StrTuple = ()

    @model_validator(mode="after")
    def _consistent(self) -> CsvOptions:
        if self.encoding != AUTO:
            try:
                codecs.lookup(self.encoding)
            except LookupError:
                raise ValueError(
                    f"encoding {self.encoding!r} is not a known codec: use auto or a name "
                    "such as utf-8, cp1252 or latin-1"
                ) from None
        if self.thousands is not None and self.thousands == self.decimal:
            raise ValueError(f"decimal and thousands are both {self.decimal!r}: they must differ")
        for name in ("decimal", "thousands"):
            if getattr(self, name) == self.delimiter:
                raise ValueError(f"{name} {self.delimiter!r} is also the delimiter")
        if not self.header and not self.column_names:
            raise ValueError("header is false, so column_names must list the columns")
        repeated = sorted({n for n in self.column_names if self.column_names.count(n) > 1})
        if repeated:
            raise ValueError(f"column_names lists {repeated[0]!r} more than once")
        return self

    @property
    def python_encoding(self) -> str | None:
        """The codec to read with; None when it is to be detected."""
        if self.encoding == AUTO:
            return None
        # utf-8-sig reads files with and without a byte-order mark alike.
        return "utf-8-sig" if codecs.lookup(self.encoding).name == "utf-8" else self.encoding


class OpenMLOptions(StrictModel):
    """Which OpenML dataset to fetch, and where scikit-learn caches the download."""

    name: Text | None = None
    version: Annotated[int, Field(ge=1)] | None = None
    data_id: Annotated[int, Field(ge=1)] | None = None
    cache_dir: ConfigPath = Path("data/raw/openml")


class DataConfig(StrictModel):
    """Where the raw table comes from."""

    source: Literal["file", "openml"] = "file"
    path: ConfigPath | None = None
    csv: CsvOptions = CsvOptions()
    openml: OpenMLOptions = OpenMLOptions()

    @model_validator(mode="after")
    def _source_is_complete(self) -> DataConfig:
        if self.source == "file" and self.path is None:
            raise ValueError("source is file, so path must name the data file")
        if self.source == "openml" and (self.openml.name is None) == (self.openml.data_id is None):
            raise ValueError("source is openml: give exactly one of openml.name or openml.data_id")
        return self


class QualityOptions(StrictModel):
    """What the data-quality checks may do on their own; see the data block of the README."""

    keep_columns: StrTuple = ()


class CostsConfig(StrictModel):
    """What each kind of error costs, in ``currency``."""

    false_positive: Annotated[FiniteFloat, Field(ge=0)]
    false_negative: Annotated[FiniteFloat, Field(ge=0)]
    currency: Text = "EUR"

    @model_validator(mode="after")
    def _some_error_costs(self) -> CostsConfig:
        if self.false_positive == 0 and self.false_negative == 0:
            raise ValueError(
                "at least one error must have a positive cost, otherwise every threshold "
                "is equally good"
            )
        return self

    @property
    def errors(self) -> ErrorCosts:
        """The costs in the form the threshold search takes."""
        return ErrorCosts(false_positive=self.false_positive, false_negative=self.false_negative)


class SplitConfig(StrictModel):
    """Held-out shares: ``test_size`` of all rows, then ``validation_size`` of the rest."""

    test_size: Fraction = 0.2
    validation_size: Fraction = 0.2


class ModelConfig(StrictModel):
    """How candidates are compared and how wide the categorical encoding may grow."""

    cv_folds: Annotated[int, Field(ge=2)] = 5
    # Above this many training rows, candidates are cross-validated on a stratified sample of
    # this size (train.selection_sample says why); null cross-validates on every row.
    selection_rows: Annotated[int, Field(ge=1000)] | None = 100_000
    selection_metric: Literal["roc_auc", "average_precision", "neg_brier_score"] = "roc_auc"
    n_jobs: Annotated[int, Field(ge=1)] = 1
    max_categories: Annotated[int, Field(ge=2)] = 20


class EvaluationConfig(StrictModel):
    """Bootstrap resamples, the confidence of every interval, and when a group is comparable."""

    bootstrap_resamples: Annotated[int, Field(ge=100)] = 1000
    confidence: Fraction = 0.95
    # subgroups.DEFAULT_MIN_GROUP_SIZE says why 20; not imported, as fairlearn is slow to load.
    min_group_size: Annotated[int, Field(ge=1)] = 20


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


class Config(StrictModel):
    """The validated configuration; ``params.yaml`` explains each key."""

    data: DataConfig
    target: Text
    positive_label: Code
    positive_name: Text = "positives"
    negative_name: Text = "negatives"
    case_name: Text = "cases"
    drop_columns: StrTuple = ()
    categorical_columns: StrTuple = ()
    subgroup_columns: StrTuple = ()
    value_labels: dict[str, dict[Code, Text]] = {}
    quality: QualityOptions = QualityOptions()
    costs: CostsConfig
    cases_per_period: Annotated[int, Field(ge=1)] = 10_000
    period: Text = "month"
    split: SplitConfig = SplitConfig()
    model: ModelConfig = ModelConfig()
    evaluation: EvaluationConfig = EvaluationConfig()
    random_seed: Annotated[int, Field(ge=0)] = 42
    _paths: Paths = PrivateAttr()

    @model_validator(mode="after")
    def _columns_agree(self, info: ValidationInfo) -> Config:
        if self.target in self.drop_columns:
            raise ValueError(f"drop_columns lists the target {self.target!r}; remove it")
        if self.target in self.value_labels:
            raise ValueError(
                f"value_labels names the target {self.target!r}: name its two classes with "
                "positive_name and negative_name instead"
            )
        for key in ("drop_columns", "categorical_columns", "subgroup_columns"):
            names: tuple[str, ...] = getattr(self, key)
            repeated = sorted({n for n in names if names.count(n) > 1})
            if repeated:
                raise ValueError(f"{key} lists {repeated[0]!r} more than once")
        context = info.context or {}
        root = Path(context.get("root", "."))
        self._paths = Paths(root, Path(context.get("config_file", root / DEFAULT_CONFIG)))
        return self

    @property
    def paths(self) -> Paths:
        """The project folders the stages read and write."""
        return self._paths

    @property
    def data_path(self) -> Path | None:
        """The data file, resolved against the project root (None for OpenML)."""
        if self.data.source != "file" or self.data.path is None:
            return None
        return self.paths.root / self.data.path

    @property
    def openml_cache(self) -> Path:
        """Where scikit-learn caches OpenML downloads, resolved against the project root."""
        return self.paths.root / self.data.openml.cache_dir

    @property
    def text_columns(self) -> tuple[str, ...]:
        """Columns whose values are codes or names, never numbers, whatever they look like."""
        names = [*self.categorical_columns, *self.value_labels]
        return tuple(dict.fromkeys(names))


def parse_config(values: Any, root: Path, config_file: Path | None = None) -> Config:
    """Validate the parsed YAML ``values``; paths in it are relative to ``root``.

    ``config_file`` is where the values came from (``root/params.yaml`` if not given); the
    report records its hash as one of the inputs of the numbers.

    Raises:
        ConfigError: a key is unknown or missing, or a value has the wrong type or range.

    """
    if not isinstance(values, dict):
        raise ConfigError(f"{(config_file or DEFAULT_CONFIG).name} must hold keys and values")
    source = (config_file or root / DEFAULT_CONFIG).name
    context = {"root": root, "config_file": config_file or root / DEFAULT_CONFIG}
    return validate_config(Config, values, source=source, context=context)


def load_config(path: str | Path = DEFAULT_CONFIG) -> Config:
    """Read and validate the YAML file at ``path``.

    Raises:
        ConfigError: the file is missing or not YAML, or a key or value is invalid.

    """
    file = Path(path).resolve()
    return parse_config(read_config_file(file), file.parent, file)


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
