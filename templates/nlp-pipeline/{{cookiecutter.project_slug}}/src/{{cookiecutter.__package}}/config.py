"""The pipeline's one configuration file, loaded and validated in one place.

Every stage reads its settings from the ``Config`` built here, so a typo in ``config.toml``
fails at start-up in one line that names the key, the value and what is accepted, not halfway
through training. Each section is a strict pydantic model (``settings.StrictModel``): an unknown
key is an error listing the allowed ones, and no value is coerced (``"0.2"`` is not a number).
Relative paths are resolved against the folder of the configuration file, so the pipeline gives
the same result from any working directory.
"""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import Annotated, Literal, Self

from pydantic import (
    AfterValidator,
    Field,
    PrivateAttr,
    ValidationInfo,
    field_validator,
    model_validator,
)

from .settings import (
    ConfigError,
    ConfigPath,
    StrictModel,
    StrTuple,
    read_config_file,
    validate_config,
)

__all__ = [
    "AUTO",
    "DELIMITER_NAMES",
    "Config",
    "ConfigError",
    "CostConfig",
    "DataConfig",
    "DatasetConfig",
    "DedupConfig",
    "DownloadConfig",
    "FeatureConfig",
    "LabelConfig",
    "ModelConfig",
    "ReportConfig",
    "SplitConfig",
    "load_config",
]

DEFAULT_CONFIG = Path("config.toml")
AUTO = "auto"
#: How the data block and error messages name the delimiters people use most.
DELIMITER_NAMES = {",": "comma", "\t": "tab", ";": "semicolon", "|": "pipe", " ": "space"}


def _resolve(path: Path, info: ValidationInfo) -> Path:
    """Resolve a relative path against the folder of the config file (given as context)."""
    path = path.expanduser()
    root = (info.context or {}).get("root")
    return path if path.is_absolute() or root is None else Path(root) / path


#: A path as the file writes it, resolved against the file's folder.
FilePath = Annotated[ConfigPath, AfterValidator(_resolve)]
Name = Annotated[str, Field(min_length=1)]
Cost = Annotated[float, Field(ge=0, allow_inf_nan=False)]
NgramRange = Annotated[tuple[int, int], Field(strict=False)]
RegularisationC = Annotated[float, Field(ge=1e-6, le=1e6, allow_inf_nan=False)]
#: C's candidates in increasing order; one number in the file is a grid of one (C fixed).
CGrid = Annotated[tuple[RegularisationC, ...], Field(strict=False, min_length=1)]


class DatasetConfig(StrictModel):
    """What the data is, in the words the README, model card and datasheet use for it."""

    name: str = ""
    description: str = ""
    url: str = ""
    licence: str = ""
    citation: str = ""
    #: A longer description of the data (its own datasheet), linked from the documents.
    about: FilePath | None = None
    #: What one row of the data is called, singular and plural ("ticket", "tickets").
    item: Name = "text"
    items: Name = "texts"


class DataConfig(StrictModel):
    """Where the labelled texts are and how to read them."""

    path: FilePath
    format: Literal["delimited", "jsonl", "folder"] = "delimited"
    delimiter: str = AUTO
    header: bool = True
    columns: StrTuple = ()
    text_columns: StrTuple = ("text",)
    label_column: Name = "label"
    encoding: str = AUTO
    quoting: Literal["none", "minimal"] = "minimal"
    max_bad_fraction: float = Field(default=0.01, ge=0.0, le=1.0)

    @field_validator("delimiter")
    @classmethod
    def _one_character(cls, value: str) -> str:
        if value != AUTO and (len(value) != 1 or value in "\r\n\"'"):
            raise ValueError(
                'use "auto" or one character such as "," "\\t" ";" "|" or " " '
                "(not a quote or a line break)"
            )
        return value

    @field_validator("encoding")
    @classmethod
    def _known_codec(cls, value: str) -> str:
        if value != AUTO:
            try:
                codecs.lookup(value)
            except LookupError:
                raise ValueError(
                    'unknown encoding: use "auto" or a Python codec such as "utf-8" or "latin-1"'
                ) from None
        return value

    @field_validator("text_columns", "columns")
    @classmethod
    def _names(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if any(not name for name in value):
            raise ValueError("column names must not be empty")
        if len(set(value)) != len(value):
            raise ValueError("a column is named twice")
        return value

    @model_validator(mode="after")
    def _columns_cover_the_text_and_label(self) -> Self:
        if not self.text_columns:
            raise ValueError("text_columns must name at least one column")
        if self.label_column in self.text_columns:
            raise ValueError(f"label_column {self.label_column!r} is also a text column")
        if self.format == "delimited" and not self.header:
            missing = [c for c in (*self.text_columns, self.label_column) if c not in self.columns]
            if missing:
                raise ValueError(
                    f"a file without a header needs columns to name every column in order, "
                    f"text and label included; columns lacks {', '.join(map(repr, missing))}"
                )
        return self


class LabelConfig(StrictModel):
    """The classes the model learns, made from the labels written in the data.

    ``map`` sends each raw label to a class name (two labels to one name merge them), ``drop``
    lists the raw labels whose rows are left out on purpose. A raw label in neither is an error:
    a class is never lost as a "bad row".
    """

    map: dict[str, Name]
    drop: StrTuple = ()
    #: Two classes only: the class the decision acts on; its threshold is chosen by cost.
    positive: str | None = None
    #: Two classes only: what acting on a text of the positive class means, in the domain.
    action: Name = "flagged"

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        names = self.classes_in_map()
        if not self.map:
            raise ValueError("map must list every raw label in the data and its class")
        if len(names) < 2:
            raise ValueError(
                f"map makes {len(names)} class ({', '.join(names)}); a classifier needs two or more"
            )
        both = sorted(set(self.map) & set(self.drop))
        if both:
            raise ValueError(f"label {both[0]!r} is both mapped and dropped: choose one")
        if len(names) == 2:
            if self.positive is None:
                raise ValueError(
                    f"with two classes, set positive to the class the decision acts on: "
                    f"{names[0]!r} or {names[1]!r}"
                )
            if self.positive not in names:
                raise ValueError(
                    f"positive = {self.positive!r} is not a class; the classes are "
                    f"{', '.join(map(repr, names))}"
                )
        elif self.positive is not None:
            raise ValueError(
                f"positive applies to two classes only; map makes {len(names)}, and each "
                "error is priced in [costs] instead"
            )
        return self

    def classes_in_map(self) -> tuple[str, ...]:
        """Return the class names in the order they first appear in ``map``."""
        return tuple(dict.fromkeys(self.map.values()))

    @property
    def classes(self) -> tuple[str, ...]:
        """The class names in code order: position ``i`` is the class the model calls ``i``.

        With two classes the negative class comes first and the positive second, so that the
        positive class is 1, as every binary tool expects.
        """
        names = self.classes_in_map()
        if self.positive is None:
            return names
        return tuple(n for n in names if n != self.positive) + (self.positive,)

    @property
    def binary(self) -> bool:
        """Whether the model has two classes, decided with a threshold."""
        return len(self.classes_in_map()) == 2


class DownloadConfig(StrictModel):
    """The public corpus that ``make data`` fetches, and the checksum that proves it intact."""

    url: Name
    #: The file to extract when ``url`` is a zip archive ("" when it is the file itself).
    member: str = ""
    sha256: str
    dest: FilePath
    timeout: float = Field(default=60.0, ge=1.0, le=600.0)

    @field_validator("sha256")
    @classmethod
    def _hex_digest(cls, value: str) -> str:
        digest = value.lower()
        if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
            raise ValueError("must be 64 hexadecimal characters (sha256sum prints it)")
        return digest

    @field_validator("url")
    @classmethod
    def _http(cls, value: str) -> str:
        if not value.startswith(("https://", "http://")):
            raise ValueError("only http(s) URLs are downloaded")
        return value


class DedupConfig(StrictModel):
    """How similar two texts must be to count as the same text."""

    shingle_size: int = Field(default=5, ge=2)
    near_duplicate_jaccard: float = Field(default=0.7, ge=0.05, le=1.0)
    num_perm: int = Field(default=128, ge=8)
    bands: int = Field(default=32, ge=1)

    @model_validator(mode="after")
    def _bands_divide_the_signature(self) -> Self:
        if self.num_perm % self.bands:
            raise ValueError(
                f"num_perm ({self.num_perm}) must be a multiple of bands ({self.bands})"
            )
        return self


class SplitConfig(StrictModel):
    """Shares of the de-duplicated groups held out for the decision rule and for the test."""

    test_fraction: float = Field(default=0.2, ge=0.05, le=0.5)
    validation_fraction: float = Field(default=0.2, ge=0.05, le=0.5)

    @model_validator(mode="after")
    def _leave_enough_to_train(self) -> Self:
        if self.test_fraction + self.validation_fraction > 0.8:
            raise ValueError("test_fraction + validation_fraction must leave 20% to train")
        return self


class FeatureConfig(StrictModel):
    """TF-IDF settings for the word and character n-gram features."""

    word_ngrams: NgramRange = (1, 2)
    char_ngrams: NgramRange = (2, 5)
    min_df: int = Field(default=2, ge=1)
    max_features: int = Field(default=100_000, ge=1)

    @field_validator("word_ngrams", "char_ngrams")
    @classmethod
    def _range(cls, value: tuple[int, int]) -> tuple[int, int]:
        low, high = value
        if not 1 <= low <= high:
            raise ValueError("must be [low, high] with 1 <= low <= high")
        return value


class ModelConfig(StrictModel):
    """Which classifier to train, how its regularisation is chosen, and whether to calibrate.

    ``C`` is one number (used as it is) or a list of candidates, tuned by cross-validation
    within the training part (``tuning_folds`` folds that keep near-duplicate groups whole),
    never on the validation or test sets; above ``tuning_texts`` training texts, on a seeded
    sample of that many (``"all"``: on every training text). ``calibration = "auto"``
    recalibrates the probabilities on the validation set when that lowers the cross-fitted
    Brier score there.
    """

    kind: Literal["logistic_regression", "linear_svm", "sentence_embedding"] = "logistic_regression"
    C: CGrid = (1.0, 3.0, 10.0, 30.0, 100.0, 300.0)  # noqa: N815 - scikit-learn's name for it
    tuning_folds: int = Field(default=4, ge=2, le=10)
    tuning_texts: int | Literal["all"] = 30_000
    calibration: Literal["auto", "off"] = "auto"
    embedding_model: Name = "sentence-transformers/all-MiniLM-L6-v2"

    @field_validator("C", mode="before")
    @classmethod
    def _number_or_candidates(cls, value: object) -> object:
        values = list(value) if isinstance(value, list | tuple) else [value]
        if not values or any(isinstance(v, bool) or not isinstance(v, int | float) for v in values):
            raise ValueError(
                "use one number such as 20.0 (C fixed), or a list of candidates such as "
                "[1.0, 10.0, 100.0] (C tuned by cross-validation on the training part)"
            )
        return tuple(float(v) for v in values)

    @field_validator("tuning_texts", mode="before")
    @classmethod
    def _texts_or_all(cls, value: object) -> object:
        if value == "all" or (
            isinstance(value, int) and not isinstance(value, bool) and value >= 100
        ):
            return value
        raise ValueError(
            "use a number of training texts, at least 100, above which C is tuned on a sample "
            'of that many, or "all" to tune on every training text'
        )

    @field_validator("C")
    @classmethod
    def _in_order(cls, value: tuple[float, ...]) -> tuple[float, ...]:
        # Sorted after the checks, so an error names the position the file gives the value.
        return tuple(sorted(set(value)))

    @property
    def tuned(self) -> bool:
        """Whether C is chosen among several candidates rather than fixed."""
        return len(self.C) > 1


class CostConfig(StrictModel):
    """The price of each kind of error, in ``currency``.

    Two classes: ``false_positive`` and ``false_negative``. More classes: every error costs
    ``error``, except those priced in ``matrix`` (true class, then predicted class).
    """

    currency: Name = "EUR"
    false_positive: Cost | None = None
    false_negative: Cost | None = None
    error: Cost = 1.0
    matrix: dict[str, dict[str, Cost]] = {}


# The fewest resamples ``[report] bootstrap_max_draws`` may leave an interval with.
_MIN_RESAMPLES = 200


class ReportConfig(StrictModel):
    """How much the report shows, how many resamples back its intervals, which groups count."""

    top_errors: int = Field(default=5, ge=1)
    top_features: int = Field(default=10, ge=1)
    confused_pairs: int = Field(default=6, ge=1)
    bootstrap_resamples: int = Field(default=1000, ge=100)
    #: Resamples x texts above which fewer resamples are drawn (never fewer than 200): each
    #: resample redraws every text for every metric, so the time grows with both.
    bootstrap_max_draws: int = Field(default=20_000_000, ge=1)
    #: Subgroups with fewer test texts are marked in the table and compared with nothing.
    min_group_size: int = Field(default=30, ge=1)

    def resamples_for(self, n_texts: int) -> int:
        """Return how many resamples to draw of ``n_texts`` texts.

        ``bootstrap_resamples``, unless that makes more than ``bootstrap_max_draws`` draws:
        at 90,000 test texts a thousand resamples of the class and probability metrics alone
        took over three minutes on a busy two-core machine.
        """
        affordable = self.bootstrap_max_draws // max(1, n_texts)
        return min(self.bootstrap_resamples, max(_MIN_RESAMPLES, affordable))


class Config(StrictModel):
    """The whole pipeline's settings, as ``config.toml`` writes them.

    ``path`` is the configuration file itself; ``root``, its folder, is where relative paths
    start and where ``models/`` and ``reports/`` are written.
    """

    seed: int = Field(default=42, ge=0)
    dataset: DatasetConfig = DatasetConfig()
    data: DataConfig
    labels: LabelConfig
    download: DownloadConfig | None = None
    dedup: DedupConfig = DedupConfig()
    split: SplitConfig = SplitConfig()
    features: FeatureConfig = FeatureConfig()
    model: ModelConfig = ModelConfig()
    costs: CostConfig = CostConfig()
    report: ReportConfig = ReportConfig()

    _path: Path = PrivateAttr(default=DEFAULT_CONFIG)

    @property
    def path(self) -> Path:
        """The configuration file, resolved."""
        return self._path

    @property
    def root(self) -> Path:
        """The folder of the configuration file."""
        return self._path.parent

    @property
    def models_dir(self) -> Path:
        """Trained artefacts (git-ignored)."""
        return self.root / "models"

    @property
    def reports_dir(self) -> Path:
        """Metrics and figures written by code (committed)."""
        return self.root / "reports"


def _cost_problems(costs: CostConfig, labels: LabelConfig) -> str | None:
    """Return why the costs do not fit the classes, or None when they do."""
    classes = labels.classes
    if labels.binary:
        missing = [k for k in ("false_positive", "false_negative") if getattr(costs, k) is None]
        if missing:
            return (
                f"costs.{missing[0]} is required with two classes: the price of one "
                f"{'false alarm' if missing[0] == 'false_positive' else 'miss'}"
            )
        if costs.false_positive == costs.false_negative == 0:
            return "costs.false_positive and false_negative are both 0: price at least one error"
        if costs.matrix:
            return "costs.matrix applies to three or more classes; two use false_positive/negative"
        return None
    for key in ("false_positive", "false_negative"):
        if getattr(costs, key) is not None:
            return (
                f"costs.{key} applies to two classes; with {len(classes)} set costs.error and "
                "costs.matrix"
            )
    for true, row in costs.matrix.items():
        for name in (true, *row):
            if name not in classes:
                return (
                    f"costs.matrix names {name!r}, which is not a class; the classes are "
                    f"{', '.join(map(repr, classes))}"
                )
        if row.get(true, 0.0) != 0.0:
            return f"costs.matrix.{true}.{true} must be 0: a right answer costs nothing"
    if costs.error == 0 and not any(v > 0 for row in costs.matrix.values() for v in row.values()):
        return "every error costs 0: set costs.error (or costs.matrix) above 0"
    return None


def load_config(path: str | Path = DEFAULT_CONFIG) -> Config:
    """Read and validate the configuration at ``path``.

    Raises:
        ConfigError: the file is missing or not valid TOML, a key is unknown or missing, or a
            value has the wrong type or lies outside what is accepted. One line, naming the key.

    """
    file = Path(path)
    raw = read_config_file(file)
    root = file.resolve().parent
    config = validate_config(Config, raw, source=file.name, context={"root": root})
    problem = _cost_problems(config.costs, config.labels)
    if problem:
        raise ConfigError(f"{file.name}: {problem}")
    config._path = file.resolve()
    return config
