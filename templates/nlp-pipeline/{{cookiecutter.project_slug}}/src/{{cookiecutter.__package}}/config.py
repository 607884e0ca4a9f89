"""The pipeline's one configuration file, loaded and validated in one place.

Every stage reads its settings from the ``Config`` built here, so a typo in ``config.toml``
fails at start-up with the key's name, not halfway through training. Relative paths are
resolved against the folder of the configuration file, so the pipeline gives the same
result from any working directory.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "Config",
    "ConfigError",
    "CostConfig",
    "DataConfig",
    "DedupConfig",
    "DownloadConfig",
    "FeatureConfig",
    "ModelConfig",
    "ReportConfig",
    "SplitConfig",
    "load_config",
]

DEFAULT_CONFIG = Path("config.toml")
FORMATS = ("tsv", "csv", "jsonl", "folder")
QUOTING = ("none", "minimal")
MODEL_KINDS = ("logistic_regression", "linear_svm", "sentence_embedding")


class ConfigError(ValueError):
    """The configuration file is missing, unreadable or holds an invalid value."""


@dataclass(frozen=True)
class DataConfig:
    """Where the labelled messages are and how to read them."""

    path: Path
    format: str
    header: bool
    columns: tuple[str, ...]
    text_column: str
    label_column: str
    encoding: str
    quoting: str
    positive_label: str
    negative_label: str
    max_bad_fraction: float


@dataclass(frozen=True)
class DownloadConfig:
    """The public corpus that ``make data`` fetches, and the checksum that proves it intact."""

    url: str
    member: str
    sha256: str
    dest: Path
    timeout: float


@dataclass(frozen=True)
class DedupConfig:
    """How similar two messages must be to count as the same message."""

    shingle_size: int
    near_duplicate_jaccard: float
    num_perm: int
    bands: int


@dataclass(frozen=True)
class SplitConfig:
    """Shares of the de-duplicated groups held out for threshold choice and for the test."""

    test_fraction: float
    validation_fraction: float


@dataclass(frozen=True)
class FeatureConfig:
    """TF-IDF settings for the word and character n-gram features."""

    word_ngrams: tuple[int, int]
    char_ngrams: tuple[int, int]
    min_df: int
    max_features: int


@dataclass(frozen=True)
class ModelConfig:
    """Which classifier to train, and its regularisation strength."""

    kind: str
    c: float
    embedding_model: str


@dataclass(frozen=True)
class CostConfig:
    """The price of each kind of error, in ``currency``."""

    false_positive: float
    false_negative: float
    currency: str


@dataclass(frozen=True)
class ReportConfig:
    """How much the report shows, and how many bootstrap resamples back its intervals."""

    top_errors: int
    top_features: int
    bootstrap_resamples: int


@dataclass(frozen=True)
class Config:
    """The whole pipeline's settings.

    ``path`` is the configuration file itself; ``root``, its folder, is where relative paths
    start.
    """

    path: Path
    root: Path
    seed: int
    data: DataConfig
    download: DownloadConfig
    dedup: DedupConfig
    split: SplitConfig
    features: FeatureConfig
    model: ModelConfig
    costs: CostConfig
    report: ReportConfig

    @property
    def models_dir(self) -> Path:
        """Trained artefacts (git-ignored)."""
        return self.root / "models"

    @property
    def reports_dir(self) -> Path:
        """Metrics and figures written by code (committed)."""
        return self.root / "reports"


class _Section:
    """Typed access to one TOML table that names the offending key in every error."""

    def __init__(self, name: str, table: Any) -> None:
        if not isinstance(table, dict):
            raise ConfigError(f"[{name}] must be a table")
        self.name = name
        self.table = table

    def _get(self, key: str, kinds: tuple[type, ...], kind_name: str) -> Any:
        if key not in self.table:
            raise ConfigError(f"missing key {key!r} in [{self.name}]")
        value = self.table[key]
        # bool is an int in Python; a flag is never a valid number here.
        if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
            raise ConfigError(f"[{self.name}] {key} must be {kind_name}, got {value!r}")
        return value

    def text(self, key: str, choices: tuple[str, ...] = ()) -> str:
        value = str(self._get(key, (str,), "a string"))
        if choices and value not in choices:
            raise ConfigError(
                f"[{self.name}] {key} = {value!r} is not one of: {', '.join(choices)}"
            )
        return value

    def flag(self, key: str) -> bool:
        return bool(self._get(key, (bool,), "true or false"))

    def integer(self, key: str, minimum: int = 0) -> int:
        value = int(self._get(key, (int,), "an integer"))
        if value < minimum:
            raise ConfigError(f"[{self.name}] {key} must be at least {minimum}, got {value}")
        return value

    def number(self, key: str, low: float, high: float) -> float:
        value = float(self._get(key, (int, float), "a number"))
        if not low <= value <= high:
            raise ConfigError(f"[{self.name}] {key} must be between {low} and {high}, got {value}")
        return value

    def pair(self, key: str) -> tuple[int, int]:
        value = self._get(key, (list,), "a list of two integers")
        if len(value) != 2 or not all(isinstance(v, int) and v >= 1 for v in value):
            raise ConfigError(f"[{self.name}] {key} must be two integers >= 1, got {value!r}")
        low, high = int(value[0]), int(value[1])
        if low > high:
            raise ConfigError(f"[{self.name}] {key} must be [low, high], got {value!r}")
        return low, high

    def names(self, key: str) -> tuple[str, ...]:
        value = self._get(key, (list,), "a list of column names")
        if not all(isinstance(v, str) and v for v in value):
            raise ConfigError(f"[{self.name}] {key} must hold non-empty strings, got {value!r}")
        return tuple(value)


def _resolve(root: Path, value: str) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else root / path


def _data(section: _Section, root: Path) -> DataConfig:
    data = DataConfig(
        path=_resolve(root, section.text("path")),
        format=section.text("format", FORMATS),
        header=section.flag("header"),
        columns=section.names("columns"),
        text_column=section.text("text_column"),
        label_column=section.text("label_column"),
        encoding=section.text("encoding"),
        quoting=section.text("quoting", QUOTING),
        positive_label=section.text("positive_label"),
        negative_label=section.text("negative_label"),
        max_bad_fraction=section.number("max_bad_fraction", 0.0, 1.0),
    )
    if data.positive_label == data.negative_label:
        raise ConfigError("[data] positive_label and negative_label must differ")
    if data.format in ("tsv", "csv") and not data.header:
        missing = {data.text_column, data.label_column} - set(data.columns)
        if missing:
            raise ConfigError(
                f"[data] columns {list(data.columns)} lack {sorted(missing)}: a file without a "
                "header needs its columns named, text and label included"
            )
    if data.encoding != "auto":
        import codecs

        try:
            codecs.lookup(data.encoding)
        except LookupError as err:
            raise ConfigError(
                f"[data] encoding {data.encoding!r} is unknown: use 'auto' or a Python codec "
                "name such as 'utf-8' or 'latin-1'"
            ) from err
    return data


def _dedup(section: _Section) -> DedupConfig:
    dedup = DedupConfig(
        shingle_size=section.integer("shingle_size", 2),
        near_duplicate_jaccard=section.number("near_duplicate_jaccard", 0.05, 1.0),
        num_perm=section.integer("num_perm", 8),
        bands=section.integer("bands", 1),
    )
    if dedup.num_perm % dedup.bands:
        raise ConfigError(
            f"[dedup] num_perm ({dedup.num_perm}) must be a multiple of bands ({dedup.bands})"
        )
    return dedup


def load_config(path: str | Path = DEFAULT_CONFIG) -> Config:
    """Read and validate the configuration at ``path``.

    Raises:
        ConfigError: the file is missing or not valid TOML, a key is missing, or a value
            has the wrong type or lies outside its range. The message names the key.

    """
    file = Path(path)
    try:
        raw = tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError as err:
        raise ConfigError(f"configuration file {file} not found") from err
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{file} is not valid TOML: {err}") from err
    root = file.resolve().parent

    def section(name: str) -> _Section:
        return _Section(name, raw.get(name, {}))

    top = _Section("top level", raw)
    download = section("download")
    split = section("split")
    features = section("features")
    model = section("model")
    costs = section("costs")
    report = section("report")
    config = Config(
        path=file.resolve(),
        root=root,
        seed=top.integer("seed"),
        data=_data(section("data"), root),
        download=DownloadConfig(
            url=download.text("url"),
            member=download.text("member"),
            sha256=download.text("sha256").lower(),
            dest=_resolve(root, download.text("dest")),
            timeout=download.number("timeout", 1.0, 600.0),
        ),
        dedup=_dedup(section("dedup")),
        split=SplitConfig(
            test_fraction=split.number("test_fraction", 0.05, 0.5),
            validation_fraction=split.number("validation_fraction", 0.05, 0.5),
        ),
        features=FeatureConfig(
            word_ngrams=features.pair("word_ngrams"),
            char_ngrams=features.pair("char_ngrams"),
            min_df=features.integer("min_df", 1),
            max_features=features.integer("max_features", 1),
        ),
        model=ModelConfig(
            kind=model.text("kind", MODEL_KINDS),
            c=model.number("C", 1e-6, 1e6),
            embedding_model=model.text("embedding_model"),
        ),
        costs=CostConfig(
            false_positive=costs.number("false_positive", 0.0, 1e12),
            false_negative=costs.number("false_negative", 0.0, 1e12),
            currency=costs.text("currency"),
        ),
        report=ReportConfig(
            top_errors=report.integer("top_errors", 1),
            top_features=report.integer("top_features", 1),
            bootstrap_resamples=report.integer("bootstrap_resamples", 100),
        ),
    )
    if len(config.download.sha256) != 64:
        raise ConfigError("[download] sha256 must be 64 hexadecimal characters")
    if config.split.test_fraction + config.split.validation_fraction >= 0.8:
        raise ConfigError("[split] test_fraction + validation_fraction must leave 20% to train")
    return config
