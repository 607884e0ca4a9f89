"""Load and validate config.toml in one place, so a typo fails before any stage starts."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

__all__ = [
    "MODEL_NAMES",
    "ColumnsConfig",
    "Config",
    "ConfigError",
    "DataConfig",
    "EvaluationConfig",
    "ModelsConfig",
    "SplitConfig",
    "load_config",
]

MODEL_NAMES = ("random", "popularity", "item_knn", "ease", "content")
SOURCES = ("csv", "movielens")
STRATEGIES = ("temporal", "random")


class ConfigError(ValueError):
    """The configuration file is missing, malformed or holds a value the pipeline cannot use."""


@dataclass(frozen=True)
class ColumnsConfig:
    """Column names of the interactions file; ``rating`` is empty for implicit-only data."""

    user: str = "user_id"
    item: str = "item_id"
    rating: str = "rating"
    timestamp: str = "timestamp"


@dataclass(frozen=True)
class DataConfig:
    """Where the interactions and the optional item metadata come from."""

    source: str = "csv"
    interactions: Path = Path("data/sample/interactions.csv")
    items: Path | None = Path("data/sample/items.csv")
    path: Path = Path("data/raw/ml-100k")
    min_rating: float = 0.0
    columns: ColumnsConfig = field(default_factory=ColumnsConfig)


@dataclass(frozen=True)
class SplitConfig:
    """How interactions are divided into what the models learn from and what they are judged on."""

    strategy: str = "temporal"
    test_fraction: float = 0.2
    min_user_interactions: int = 5
    cold_start_fraction: float = 0.1
    cold_start_known: int = 3


@dataclass(frozen=True)
class EvaluationConfig:
    """The cut-off ``k`` and the bootstrap settings of every reported interval."""

    k: int = 10
    bootstrap_resamples: int = 1000
    confidence: float = 0.95


@dataclass(frozen=True)
class ModelsConfig:
    """Which models run, and their hyperparameters."""

    enabled: tuple[str, ...] = MODEL_NAMES
    neighbours: int = 50
    l2: float = 250.0
    popularity_weight: float = 0.3


@dataclass(frozen=True)
class Config:
    """The whole configuration, with every path made absolute against the config's folder."""

    root: Path
    file: Path
    seed: int = 42
    data: DataConfig = field(default_factory=DataConfig)
    split: SplitConfig = field(default_factory=SplitConfig)
    evaluation: EvaluationConfig = field(default_factory=EvaluationConfig)
    models: ModelsConfig = field(default_factory=ModelsConfig)
    serve_model: str = "ease"
    cold_start_model: str = "content"

    @property
    def data_files(self) -> list[Path]:
        """The raw files the configured source reads: what the numbers were computed from."""
        data = self.data
        if data.source == "movielens":
            return [data.path / "u.data", data.path / "u.item"]
        return [data.interactions, *([data.items] if data.items is not None else [])]

    @property
    def processed_dir(self) -> Path:
        """Where the prepare stage writes the split that later stages read."""
        return self.root / "data" / "processed"

    @property
    def models_dir(self) -> Path:
        """Where trained models and their training statistics live (git-ignored)."""
        return self.root / "models"

    @property
    def reports_dir(self) -> Path:
        """Where ``metrics.json`` and the figures are written."""
        return self.root / "reports"


def _table(raw: dict[str, Any], key: str) -> dict[str, Any]:
    value = raw.get(key, {})
    if not isinstance(value, dict):
        raise ConfigError(f"[{key}] must be a table")
    return value


def _build(cls: type[Any], values: dict[str, Any], section: str) -> Any:
    known = {f.name for f in fields(cls)}
    unknown = sorted(set(values) - known)
    _require(not unknown, f"unknown keys {unknown} in [{section}]: use {sorted(known)}")
    return cls(**values)


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ConfigError(message)


def _path(root: Path, value: object, key: str) -> Path:
    _require(isinstance(value, str) and value != "", f"{key} must be a non-empty path")
    path = Path(str(value))
    return path if path.is_absolute() else root / path


def load_config(path: str | Path = "config.toml") -> Config:
    """Read and validate the configuration at ``path``.

    Raises:
        ConfigError: the file is missing or is not TOML, or a value is out of range; the
            message names the key and the accepted values.

    """
    config_path = Path(path).resolve()
    try:
        raw = tomllib.loads(config_path.read_text(encoding="utf-8"))
    except FileNotFoundError as err:
        raise ConfigError(f"config file not found: {config_path}") from err
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{config_path} is not valid TOML: {err}") from err
    root = config_path.parent

    data = _table(raw, "data")
    columns = _build(ColumnsConfig, _table(data, "columns"), "data.columns")
    source = data.get("source", "csv")
    _require(source in SOURCES, f"data.source must be one of {SOURCES}, got {source!r}")
    items = data.get("items", "")
    data_config = DataConfig(
        source=source,
        interactions=_path(
            root, data.get("interactions", "data/sample/interactions.csv"), "data.interactions"
        ),
        items=_path(root, items, "data.items") if items else None,
        path=_path(root, data.get("path", "data/raw/ml-100k"), "data.path"),
        min_rating=float(data.get("min_rating", 0.0)),
        columns=columns,
    )
    _require(bool(columns.user and columns.item), "data.columns.user and .item must be set")

    split_config = _build(SplitConfig, _table(raw, "split"), "split")
    _require(
        split_config.strategy in STRATEGIES,
        f"split.strategy must be one of {STRATEGIES}, got {split_config.strategy!r}",
    )
    _require(0 < split_config.test_fraction < 1, "split.test_fraction must be between 0 and 1")
    _require(
        0 <= split_config.cold_start_fraction < 1, "split.cold_start_fraction must be in [0, 1)"
    )
    _require(split_config.cold_start_known >= 1, "split.cold_start_known must be at least 1")
    _require(
        split_config.min_user_interactions >= 2,
        "split.min_user_interactions must be at least 2 (one to learn from, one to test)",
    )

    evaluation = _build(EvaluationConfig, _table(raw, "evaluation"), "evaluation")
    _require(evaluation.k >= 1, "evaluation.k must be at least 1")
    _require(evaluation.bootstrap_resamples >= 1, "evaluation.bootstrap_resamples must be >= 1")
    _require(0 < evaluation.confidence < 1, "evaluation.confidence must be between 0 and 1")

    models = _table(raw, "models")
    enabled = tuple(models.get("enabled", MODEL_NAMES))
    unknown = sorted(set(enabled) - set(MODEL_NAMES))
    _require(not unknown, f"unknown models {unknown}: choose from {MODEL_NAMES}")
    _require("random" in enabled, "models.enabled must include 'random', the floor to beat")
    models_config = ModelsConfig(
        enabled=tuple(name for name in MODEL_NAMES if name in enabled),
        neighbours=int(_table(models, "item_knn").get("neighbours", 50)),
        l2=float(_table(models, "ease").get("l2", 250.0)),
        popularity_weight=float(_table(models, "content").get("popularity_weight", 0.3)),
    )
    _require(models_config.neighbours >= 1, "models.item_knn.neighbours must be at least 1")
    _require(models_config.l2 > 0, "models.ease.l2 must be positive")
    _require(
        0 <= models_config.popularity_weight <= 1,
        "models.content.popularity_weight must be between 0 and 1",
    )

    recommend = _table(raw, "recommend")
    serve_model = recommend.get("model", "ease")
    cold_start_model = recommend.get("cold_start_model", "content")
    for key, name in (("model", serve_model), ("cold_start_model", cold_start_model)):
        _require(
            name in models_config.enabled,
            f"recommend.{key} is {name!r}, which is not in models.enabled {models_config.enabled}",
        )
    seed = raw.get("seed", 42)
    _require(isinstance(seed, int), "seed must be an integer")
    return Config(
        root=root,
        file=config_path,
        seed=seed,
        data=data_config,
        split=split_config,
        evaluation=evaluation,
        models=models_config,
        serve_model=serve_model,
        cold_start_model=cold_start_model,
    )
