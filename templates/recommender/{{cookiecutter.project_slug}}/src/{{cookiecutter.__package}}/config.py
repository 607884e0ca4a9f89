"""Load and validate config.toml in one place, so a typo fails before any stage starts.

The sections are strict pydantic models (``settings.StrictModel``): an unknown key is an error
that lists the allowed ones, and no value is coerced, so ``test_fraction = "0.2"`` or
``k = 10.5`` is refused with one line naming the key instead of failing later in numpy.
Relative paths are resolved against the config file's folder while validating.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal, Self

from pydantic import (
    AfterValidator,
    Field,
    PrivateAttr,
    ValidationInfo,
    field_validator,
    model_validator,
)

from {{ cookiecutter.__package }}.settings import (
    ConfigError,
    ConfigPath,
    StrictModel,
    StrTuple,
    read_config_file,
    validate_config,
)

__all__ = [
    "MODEL_NAMES",
    "ALSConfig",
    "Columns",
    "Config",
    "ConfigError",
    "DataConfig",
    "DataFile",
    "EASEConfig",
    "EvaluationConfig",
    "FileFormat",
    "Grid",
    "InteractionColumns",
    "InteractionsFile",
    "ItemColumns",
    "ItemsFile",
    "ModelsConfig",
    "Names",
    "RecommendConfig",
    "SplitConfig",
    "TuningConfig",
    "load_config",
]

MODEL_NAMES = ("random", "popularity", "item_knn", "ease", "als", "content")
ModelName = Literal["random", "popularity", "item_knn", "ease", "als", "content"]
#: Served models: one of the models, or "auto" to take the one validation picks.
ServedName = Literal["auto", "random", "popularity", "item_knn", "ease", "als", "content"]
#: Candidate values of one hyperparameter; validation picks one (a single value is fixed).
Grid = tuple[float, ...]
#: Delimiters with a name of their own; any other non-empty string is used literally.
NAMED_DELIMITERS = ("auto", "whitespace")
Name = Annotated[str, Field(min_length=1)]
Fraction = Annotated[float, Field(gt=0, lt=1)]


def _resolve(path: Path, info: ValidationInfo) -> Path:
    """Make a relative path absolute against the config file's folder (``context["root"]``)."""
    root = (info.context or {}).get("root")
    return path if path.is_absolute() or root is None else Path(root) / path


#: A path written in the file, relative to the file's folder unless absolute.
ProjectPath = Annotated[ConfigPath, AfterValidator(_resolve)]


class FileFormat(StrictModel):
    """How a delimited text file is read; Parquet files carry their own format."""

    delimiter: str = "auto"
    header: bool = True
    column_names: StrTuple = ()
    encoding: str = "utf-8"
    decimal: Literal[".", ","] = "."

    @field_validator("delimiter")
    @classmethod
    def _known_delimiter(cls, value: str) -> str:
        if value == "" or any(c in value for c in "\r\n\"'"):
            raise ValueError(
                'use "auto" (detect it), "whitespace", or the literal separator such as '
                '",", ";", "\\t", "|" or "::"'
            )
        return value

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, value: str) -> str:
        try:
            codecs.lookup(value)
        except LookupError:
            raise ValueError(
                'unknown encoding: use e.g. "utf-8", "utf-8-sig" or "latin-1"'
            ) from None
        return value

    @field_validator("column_names")
    @classmethod
    def _distinct_names(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if any(not name for name in value) or len(set(value)) < len(value):
            raise ValueError("give each column a distinct, non-empty name")
        return value

    @model_validator(mode="after")
    def _names_for_headerless_files(self) -> Self:
        if not self.header and not self.column_names:
            raise ValueError(
                "header = false needs column_names: the names of the columns, in file order"
            )
        if self.header and self.column_names:
            raise ValueError(
                "column_names is for files without a header row: set header = false, or "
                "remove column_names to use the file's own header"
            )
        return self


class Columns(StrictModel):
    """Which column of a file plays which role; "" for a role the file has no column for."""

    def mapped(self) -> dict[str, str]:
        """Return each role with the column the config names for it (options excluded)."""
        return {k: v for k, v in self.model_dump().items() if k != "category_separator"}


class InteractionColumns(Columns):
    """The roles of the interactions file's columns."""

    user: Name
    item: Name
    rating: str = ""
    timestamp: str = ""


class ItemColumns(Columns):
    """The roles of the item metadata file's columns, and how categories are separated."""

    item: Name
    title: str = ""
    categories: str = ""
    category_separator: Name = "|"
    year: str = ""


class DataFile(FileFormat):
    """A file the config points at: where it is, how to read it, which column is what."""

    path: ProjectPath
    columns: Columns

    @model_validator(mode="after")
    def _columns_exist(self) -> Self:
        """Refuse a column mapped twice, or one that a headerless file's names lack."""
        mapped = self.columns.mapped()
        used = [name for name in mapped.values() if name]
        if len(set(used)) < len(used):
            raise ValueError(f"columns maps two roles to the same column: {mapped}")
        if self.column_names:
            missing = {
                role: name
                for role, name in mapped.items()
                if name and name not in self.column_names
            }
            if missing:
                role, name = next(iter(missing.items()))
                raise ValueError(
                    f"columns.{role} = {name!r} is not one of column_names "
                    f"({', '.join(self.column_names)})"
                )
        return self


class InteractionsFile(DataFile):
    """The interactions log: one row per user-item event."""

    columns: InteractionColumns


class ItemsFile(DataFile):
    """Optional item metadata: what the content model and the diversity metric read."""

    columns: ItemColumns


class DataConfig(StrictModel):
    """Where the interactions and the optional item metadata come from."""

    source: Literal["file", "movielens"] = "file"
    interactions: InteractionsFile | None = None
    items: ItemsFile | None = None
    movielens_path: ProjectPath = Field(Path("data/raw/ml-100k"), validate_default=True)
    relevance_threshold: float | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.source == "file" and self.interactions is None:
            raise ValueError(
                'source = "file" needs a [data.interactions] table with path and columns'
            )
        if (
            self.source == "file"
            and self.relevance_threshold is not None
            and self.interactions is not None
            and not self.interactions.columns.rating
        ):
            raise ValueError(
                f"relevance_threshold = {self.relevance_threshold} needs a rating column: set "
                "data.interactions.columns.rating, or remove relevance_threshold for implicit "
                "feedback (every interaction counts)"
            )
        return self


class Names(StrictModel):
    """What the report, the command line and the API call a user, an item and an interaction."""

    user: Name = "user"
    users: Name = "users"
    item: Name = "item"
    items: Name = "items"
    interacted: Name = "interacted with"

    @model_validator(mode="before")
    @classmethod
    def _plurals(cls, data: Any) -> Any:
        """Fill a plural left out from its singular: ``item = "product"`` gives "products"."""
        if not isinstance(data, dict):
            return data
        data = dict(data)
        for singular, plural in (("user", "users"), ("item", "items")):
            given = data.get(singular)
            if plural not in data and isinstance(given, str) and given:
                data[plural] = given + "s"
        return data


class SplitConfig(StrictModel):
    """How interactions are divided into what models learn from, tune on and are judged on."""

    strategy: Literal["global", "per_user", "random"] = "global"
    test_fraction: Fraction = 0.2
    validation_fraction: Fraction = 0.1
    min_user_interactions: Annotated[int, Field(ge=2)] = 5
    cold_start_fraction: Annotated[float, Field(ge=0, lt=1)] = 0.1
    cold_start_known: Annotated[int, Field(ge=1)] = 3

    @field_validator("strategy", mode="before")
    @classmethod
    def _renamed_strategy(cls, value: Any) -> Any:
        if value == "temporal":
            raise ValueError(
                '"temporal" was split in two: "per_user" holds out each user\'s latest '
                'interactions (what "temporal" did; other users\' later ones still train), '
                '"global" cuts every user at the same moment (nothing later is learned from)'
            )
        return value

    @model_validator(mode="after")
    def _room_to_train(self) -> Self:
        if self.test_fraction + self.validation_fraction >= 1:
            raise ValueError(
                f"test_fraction + validation_fraction = "
                f"{self.test_fraction + self.validation_fraction:g} leaves nothing to train "
                "on: keep their sum below 1 (0.2 + 0.1 is usual)"
            )
        return self


class EvaluationConfig(StrictModel):
    """The cut-off ``k`` and the bootstrap settings of every reported interval."""

    k: Annotated[int, Field(ge=1)] = 10
    bootstrap_resamples: Annotated[int, Field(ge=1)] = 1000
    confidence: Fraction = 0.95


def _grid(
    value: Any, *, integer: bool, accepts: Callable[[float], bool], bound: str
) -> tuple[Any, ...]:
    """Accept one number or a non-empty list of numbers that ``accepts``, as a sorted tuple."""
    values = value if isinstance(value, list | tuple) else [value]
    kinds: tuple[type, ...] = (int,) if integer else (int, float)
    if not values or any(isinstance(v, bool) or not isinstance(v, kinds) for v in values):
        what = "a whole number" if integer else "a number"
        raise ValueError(f"give {what}, or a non-empty list of them for validation to choose from")
    if not all(accepts(v) for v in values):
        raise ValueError(f"every value must be {bound}")
    return tuple(sorted({int(v) if integer else float(v) for v in values}))


class ItemKNNConfig(StrictModel):
    """Similar items kept per item: validation picks one of the candidates."""

    neighbours: Annotated[tuple[int, ...], Field(strict=False)] = (10, 25, 50, 100, 200)

    @field_validator("neighbours", mode="before")
    @classmethod
    def _neighbour_grid(cls, value: Any) -> tuple[int, ...]:
        return _grid(value, integer=True, accepts=lambda v: v >= 1, bound="at least 1")


class EASEConfig(StrictModel):
    """L2 penalty of the closed-form solution, picked on validation, and its memory budget.

    Its item-item matrices take ``items² x 4 bytes x 3`` (float32: the Gram matrix, the copy
    being inverted and the best candidate's weights): 4.5 GiB at 20,000 items, with an
    inverse whose time grows with the cube of the items.
    """

    l2: Annotated[Grid, Field(strict=False)] = (100.0, 250.0, 500.0, 1000.0, 2500.0)
    max_memory_gib: Annotated[float, Field(gt=0, strict=False)] = 0.25
    on_too_large: Literal["restrict", "refuse"] = "restrict"

    @field_validator("l2", mode="before")
    @classmethod
    def _l2_grid(cls, value: Any) -> tuple[float, ...]:
        return _grid(value, integer=False, accepts=lambda v: v > 0, bound="greater than 0")


class ALSConfig(StrictModel):
    """Latent factors of implicit ALS, picked on validation, and its fixed settings."""

    factors: Annotated[tuple[int, ...], Field(strict=False)] = (32,)
    regularization: Annotated[float, Field(ge=0, strict=False)] = 0.05
    alpha: Annotated[float, Field(gt=0, strict=False)] = 2.0
    iterations: Annotated[int, Field(ge=1)] = 8

    @field_validator("factors", mode="before")
    @classmethod
    def _factor_grid(cls, value: Any) -> tuple[int, ...]:
        return _grid(value, integer=True, accepts=lambda v: v >= 1, bound="at least 1")


class ContentConfig(StrictModel):
    """Weight of the popularity prior blended with metadata similarity, picked on validation."""

    popularity_weight: Annotated[Grid, Field(strict=False)] = (0.1, 0.3, 0.5, 0.7, 0.9)

    @field_validator("popularity_weight", mode="before")
    @classmethod
    def _weight_grid(cls, value: Any) -> tuple[float, ...]:
        return _grid(value, integer=False, accepts=lambda v: 0 <= v <= 1, bound="from 0 to 1")


class ModelsConfig(StrictModel):
    """Which models run, and their hyperparameters."""

    enabled: Annotated[tuple[ModelName, ...], Field(strict=False, min_length=1)] = MODEL_NAMES
    item_knn: ItemKNNConfig = ItemKNNConfig()
    ease: EASEConfig = EASEConfig()
    als: ALSConfig = ALSConfig()
    content: ContentConfig = ContentConfig()

    @field_validator("enabled")
    @classmethod
    def _random_is_the_floor(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if "random" not in value:
            raise ValueError("include 'random': it is the floor every model must beat")
        # Always in the same order, so tables and figures do not depend on how it was listed.
        return tuple(name for name in MODEL_NAMES if name in value)


class TuningConfig(StrictModel):
    """How many of the validation period's users each candidate is scored on.

    Above ``validation_users`` users in a group (known or cold-start), tuning scores every
    candidate on a seeded sample of that many, and the report says so; "all" scores everyone.
    """

    validation_users: int | Literal["all"] = 10_000

    @field_validator("validation_users", mode="before")
    @classmethod
    def _a_count_or_all(cls, value: Any) -> Any:
        if value == "all" or (type(value) is int and value >= 1):
            return value
        raise ValueError('give a whole number of users (at least 1), or "all" for every one')


class RecommendConfig(StrictModel):
    """The model that serves known users, and the one for users no model has seen.

    "auto" takes the model that validation picks (never the test set); a name fixes it, and
    the report then says what validation would have picked.
    """

    model: ServedName = "auto"
    cold_start_model: ServedName = "auto"


class Config(StrictModel):
    """Everything config.toml holds, and the folder its relative paths and outputs belong to.

    ``root`` and ``file`` come from the validation context that ``load_config`` passes, never
    from the file itself.
    """

    seed: int = 42
    data: DataConfig
    names: Names = Names()
    split: SplitConfig = SplitConfig()
    evaluation: EvaluationConfig = EvaluationConfig()
    models: ModelsConfig = ModelsConfig()
    tuning: TuningConfig = TuningConfig()
    # Validated even when left out, so the default models are checked against models.enabled.
    recommend: RecommendConfig = Field(default_factory=RecommendConfig, validate_default=True)

    _root: Path = PrivateAttr(default=Path())
    _file: Path = PrivateAttr(default=Path("config.toml"))

    @field_validator("recommend")
    @classmethod
    def _served_models_are_trained(
        cls, value: RecommendConfig, info: ValidationInfo
    ) -> RecommendConfig:
        models = info.data.get("models")
        if models is None:  # [models] itself was invalid; that error is reported instead
            return value
        for key in ("model", "cold_start_model"):
            name = getattr(value, key)
            if name != "auto" and name not in models.enabled:
                raise ValueError(
                    f"{key} = {name!r} is not in models.enabled ({', '.join(models.enabled)}): "
                    'enable it, serve one of those, or write "auto" to let validation choose'
                )
        return value

    @model_validator(mode="after")
    def _located(self, info: ValidationInfo) -> Self:
        context = info.context or {}
        self._root = Path(context.get("root", Path()))
        self._file = Path(context.get("file", self._root / "config.toml"))
        return self

    @property
    def root(self) -> Path:
        """The config file's folder: relative paths, and every output, belong there."""
        return self._root

    @property
    def file(self) -> Path:
        """The config file itself (its fingerprint goes into the provenance record)."""
        return self._file

    @property
    def data_files(self) -> list[Path]:
        """The raw files the configured source reads: what the numbers were computed from."""
        data = self.data
        if data.source == "movielens":
            return [data.movielens_path / name for name in ("u.data", "u.item", "u.genre")]
        assert data.interactions is not None  # noqa: S101 - guaranteed by DataConfig
        return [data.interactions.path, *([data.items.path] if data.items is not None else [])]

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


def load_config(path: str | Path = "config.toml") -> Config:
    """Read and validate the configuration at ``path``.

    Raises:
        ConfigError: the file is missing or is not TOML, or a key or value is not accepted;
            one line naming the key, the value and what is accepted.

    """
    config_path = Path(path).resolve()
    context = {"root": config_path.parent, "file": config_path}
    raw = read_config_file(config_path)
    return validate_config(Config, raw, source=config_path.name, context=context)
