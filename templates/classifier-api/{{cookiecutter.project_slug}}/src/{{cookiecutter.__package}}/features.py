"""Feature preprocessing: one ColumnTransformer for every model, and its single-record twin.

The ColumnTransformer (impute and scale numbers, one-hot encode categories with unknown and
rare values folded into one column) is the only place features are defined, so training,
evaluation and serving cannot drift apart.

Scoring one record through it costs milliseconds, almost all of it pandas and input checks
rather than arithmetic. ``RecordEncoder`` is compiled from the *fitted* transformer into plain
lookups and array arithmetic, so the API answers a single record in microseconds. It is a
copy of the transformer's behaviour, so ``predict.Predictor`` only uses it after checking that
it gives the transformer's output on reference rows; anything it cannot copy exactly makes
``compile_encoder`` raise, and the API falls back to the transformer.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from .data import MISSING_CATEGORY, FeatureSchema
from .quality import code_text

__all__ = ["RecordEncoder", "UnsupportedPipelineError", "build_preprocessor"]


class UnsupportedPipelineError(ValueError):
    """The fitted preprocessor has a shape ``RecordEncoder`` does not reproduce."""


def build_preprocessor(schema: FeatureSchema, max_categories: int) -> ColumnTransformer:
    """Return the unfitted preprocessing step for ``schema``'s features.

    Each categorical column keeps its ``max_categories - 1`` most frequent values apart and
    shares one "infrequent" column among the others, which also takes values never seen in
    training: the model's width stays bounded and a new value cannot crash it.
    """
    transformers: list[tuple[str, Pipeline, list[str]]] = []
    if schema.numeric:
        numeric = Pipeline(
            [
                ("impute", SimpleImputer(strategy="median", keep_empty_features=True)),
                ("scale", StandardScaler()),
            ]
        )
        transformers.append(("numeric", numeric, schema.numeric))
    if schema.categorical:
        categorical = Pipeline(
            [
                ("impute", SimpleImputer(strategy="constant", fill_value=MISSING_CATEGORY)),
                (
                    "encode",
                    OneHotEncoder(
                        handle_unknown="infrequent_if_exist",
                        max_categories=max_categories,
                        sparse_output=False,
                    ),
                ),
            ]
        )
        transformers.append(("categorical", categorical, schema.categorical))
    return ColumnTransformer(transformers, remainder="drop")


@dataclass(frozen=True)
class _Categorical:
    name: str
    offsets: dict[str, int]
    # Where unknown values go: the infrequent column, or nowhere (all zeros) without one.
    fallback: int | None


@dataclass(frozen=True)
class RecordEncoder:
    """The fitted preprocessor's transform for one record, as lookups and arithmetic."""

    numeric: tuple[str, ...]
    fill: npt.NDArray[np.float64]
    mean: npt.NDArray[np.float64]
    scale: npt.NDArray[np.float64]
    categorical: tuple[_Categorical, ...]
    width: int

    @classmethod
    def compile(cls, preprocessor: ColumnTransformer) -> RecordEncoder:
        """Read the fitted parameters out of a preprocessor made by ``build_preprocessor``.

        Raises:
            UnsupportedPipelineError: the preprocessor was built differently.

        """
        if not isinstance(preprocessor, ColumnTransformer):
            raise UnsupportedPipelineError(
                f"expected a ColumnTransformer, got {type(preprocessor).__name__}"
            )
        numeric: tuple[str, ...] = ()
        fill = mean = scale = np.empty(0)
        categorical: list[_Categorical] = []
        width = 0
        for name, step, columns in preprocessor.transformers_:
            if name == "remainder" and step == "drop":
                continue
            if name == "numeric":
                imputer, scaler = _steps(step, (SimpleImputer, StandardScaler))
                numeric = tuple(columns)
                fill = np.asarray(imputer.statistics_, dtype=np.float64)
                mean = np.asarray(scaler.mean_, dtype=np.float64)
                scale = np.asarray(scaler.scale_, dtype=np.float64)
                width += len(numeric)
            elif name == "categorical":
                imputer, encoder = _steps(step, (SimpleImputer, OneHotEncoder))
                if imputer.fill_value != MISSING_CATEGORY or encoder.drop is not None:
                    raise UnsupportedPipelineError("categorical step is not the one built here")
                for j, column in enumerate(columns):
                    rare = encoder.infrequent_categories_[j]
                    rare_set = set() if rare is None else {str(c) for c in rare}
                    frequent = [str(c) for c in encoder.categories_[j] if str(c) not in rare_set]
                    offsets = {c: width + i for i, c in enumerate(frequent)}
                    width += len(frequent)
                    fallback = None
                    if rare_set:
                        fallback = width
                        offsets.update(dict.fromkeys(rare_set, width))
                        width += 1
                    categorical.append(_Categorical(str(column), offsets, fallback))
            else:
                raise UnsupportedPipelineError(f"unexpected transformer {name!r}")
        return cls(numeric, fill, mean, scale, tuple(categorical), width)

    def encode(self, record: Mapping[str, Any]) -> npt.NDArray[np.float64]:
        """Return the one-row model input for ``record`` (missing values as ``None``)."""
        row = np.zeros((1, self.width))
        values = np.array([_number(record.get(name)) for name in self.numeric], dtype=np.float64)
        missing = np.isnan(values)
        values[missing] = self.fill[missing]
        row[0, : len(values)] = (values - self.mean) / self.scale
        for feature in self.categorical:
            key = code_text(record.get(feature.name))
            key = MISSING_CATEGORY if key is None else key
            offset = feature.offsets.get(key, feature.fallback)
            if offset is not None:
                row[0, offset] = 1.0
        return row


def _steps(step: Any, kinds: tuple[type, ...]) -> list[Any]:
    if not isinstance(step, Pipeline) or len(step.steps) != len(kinds):
        raise UnsupportedPipelineError("a transformer is not the two-step pipeline built here")
    found = [s for _, s in step.steps]
    if not all(isinstance(s, kind) for s, kind in zip(found, kinds, strict=True)):
        raise UnsupportedPipelineError("a transformer has unexpected steps")
    return found


def _number(value: Any) -> float:
    return math.nan if value is None else float(value)
