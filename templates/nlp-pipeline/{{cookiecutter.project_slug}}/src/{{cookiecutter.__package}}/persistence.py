"""Save and load the trained pipeline with skops, trusting exactly the types listed here.

A pickle runs whatever code the file names when it is loaded; a skops file is data, and skops
constructs only the types it trusts. ``TRUSTED_TYPES`` is the complete, exact set of types a
trained pipeline of this project holds beyond skops's own defaults, written here in code and
reviewed like code: never a prefix, never read from ``model.json`` (which sits beside the model
and could be replaced with it). ``modelfile`` refuses a file naming anything else before any of
it is constructed, and refuses to save a pipeline that would need more, so a new type fails at
training time with its name, not in production.

``model.json`` holds what goes with the pipeline (the classes, the recalibration of its
probabilities, the threshold or the cost matrix): plain data, read as JSON, never executed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from sklearn.pipeline import Pipeline

from .calibrator import Calibrator
from .costmatrix import CostMatrix
from .modelfile import ModelFileError, dump_model, load_model_file
from .models import class_probabilities

__all__ = [
    "META_FILE",
    "MODEL_FILE",
    "TRUSTED_TYPES",
    "ModelLoadError",
    "TrainedModel",
    "load",
    "save",
]

MODEL_FILE = "model.skops"
META_FILE = "model.json"
_PACKAGE = __name__.rpartition(".")[0]
TRUSTED_TYPES = frozenset(
    {
        f"{_PACKAGE}.features.HashedNgrams",
        f"{_PACKAGE}.normalise.normalise_many",
        f"{_PACKAGE}.models.SentenceEmbedder",
        "sklearn.calibration._CalibratedClassifier",
        "sklearn.calibration._SigmoidCalibration",
    }
)


class ModelLoadError(RuntimeError):
    """No trained model, a damaged one, or a model file naming types this project does not trust."""


@dataclass(frozen=True)
class TrainedModel:
    """The fitted pipeline, the recalibration of its probabilities, and the decision.

    ``classes`` are the class names in code order. ``calibrator`` (None: the pipeline's own
    probabilities) was fitted on the validation set. Two classes: a text is given the positive
    class (code 1) when its recalibrated score is at or above ``threshold``, chosen on the
    validation set by expected cost. More: it is given the class with the lowest expected cost
    under ``costs``; ``threshold`` is None.
    """

    pipeline: Pipeline
    classes: tuple[str, ...]
    costs: CostMatrix
    threshold: float | None
    calibrator: Calibrator | None = None
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def binary(self) -> bool:
        """Whether the decision is a threshold on the positive class's score."""
        return self.threshold is not None

    def raw_probabilities(self, texts: list[str]) -> npt.NDArray[np.float64]:
        """Return the pipeline's own probabilities, before recalibration."""
        return class_probabilities(self.pipeline, texts, len(self.classes))

    def calibrate(self, probabilities: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """Return ``raw_probabilities`` recalibrated (unchanged when there is no calibrator)."""
        return probabilities if self.calibrator is None else self.calibrator.apply(probabilities)

    def probabilities(self, texts: list[str]) -> npt.NDArray[np.float64]:
        """Return the probability of each class (columns in code order) for each text."""
        return self.calibrate(self.raw_probabilities(texts))

    def decide(self, probabilities: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
        """Return the class code the decision rule gives each row of probabilities."""
        if self.threshold is not None:
            return (probabilities[:, 1] >= self.threshold).astype(np.int64)
        return self.costs.decide(probabilities)


def save(model: TrainedModel, folder: Path) -> Path:
    """Write the pipeline (skops) and its decision (JSON) into ``folder``.

    Raises:
        ModelLoadError: the pipeline holds a type outside ``TRUSTED_TYPES``; nothing is saved.

    """
    try:
        dump_model(model.pipeline, folder / MODEL_FILE, trusted=TRUSTED_TYPES)
    except ModelFileError as err:
        raise ModelLoadError(str(err)) from err
    meta = {
        **model.metadata,
        "classes": list(model.classes),
        "threshold": model.threshold,
        "costs": model.costs.matrix.tolist(),
        "currency": model.costs.currency,
        "calibration": None if model.calibrator is None else model.calibrator.to_dict(),
    }
    (folder / META_FILE).write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return folder / MODEL_FILE


@dataclass(frozen=True)
class _Decision:
    classes: tuple[str, ...]
    costs: CostMatrix
    threshold: float | None
    calibrator: Calibrator | None


def _decision(meta: dict[str, Any], path: Path) -> _Decision:
    try:
        classes = tuple(str(name) for name in meta.pop("classes"))
        matrix = np.array(meta.pop("costs"), dtype=np.float64)
        threshold = meta.pop("threshold")
        currency = str(meta.pop("currency"))
        calibration = meta.pop("calibration")
        if matrix.shape != (len(classes), len(classes)) or not np.isfinite(matrix).all():
            raise ValueError("the cost matrix does not fit the classes")
        if threshold is not None:
            threshold = float(threshold)
        calibrator = None if calibration is None else Calibrator.from_dict(calibration)
        if calibrator is not None and len(calibrator.bias) != len(classes):
            raise ValueError("the calibration does not fit the classes")
    except (KeyError, TypeError, ValueError) as err:
        raise ModelLoadError(
            f"{path.name} is not this project's model metadata ({err}): run `make train`"
        ) from err
    matrix.setflags(write=False)
    return _Decision(classes, CostMatrix(classes, matrix, currency), threshold, calibrator)


def load(folder: Path) -> TrainedModel:
    """Load the model saved in ``folder``.

    Raises:
        ModelLoadError: no model there (train first), the files are damaged, or the model
            file names a type outside ``TRUSTED_TYPES``; nothing from the file has run then.

    """
    path, meta_path = folder / MODEL_FILE, folder / META_FILE
    if not path.is_file() or not meta_path.is_file():
        raise ModelLoadError(f"no trained model in {folder}: run `make train` first")
    try:
        pipeline = load_model_file(path, trusted=TRUSTED_TYPES)
    except ModelFileError as err:
        raise ModelLoadError(
            f"{err}; retrain rather than load a model file from elsewhere"
        ) from err
    try:
        meta = dict(json.loads(meta_path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError) as err:
        raise ModelLoadError(f"{meta_path.name} is unreadable ({err}): run `make train`") from err
    decision = _decision(meta, meta_path)
    return TrainedModel(
        pipeline=pipeline,
        classes=decision.classes,
        costs=decision.costs,
        threshold=decision.threshold,
        calibrator=decision.calibrator,
        metadata=meta,
    )
