"""Save and load the trained pipeline with skops, trusting only the types listed here.

A pickle runs whatever code the file names when it is loaded; a skops file is data, and
loading it refuses every type not trusted explicitly. The list below is the complete set of
non-builtin types a trained pipeline of this project contains, so a tampered or foreign file
is refused with the names of the unexpected types.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sklearn.pipeline import Pipeline

__all__ = [
    "MODEL_FILE",
    "META_FILE",
    "ModelLoadError",
    "TRUSTED_TYPES",
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
    """No trained model, or a model file holding types this project does not trust."""


@dataclass(frozen=True)
class TrainedModel:
    """The fitted pipeline and the decision that goes with it.

    ``threshold`` was chosen on the validation set by expected cost; a message is flagged
    when its score is at or above it.
    """

    pipeline: Pipeline
    threshold: float
    positive_label: str
    negative_label: str
    metadata: dict[str, Any]


def save(model: TrainedModel, folder: Path) -> Path:
    """Write the pipeline (skops) and its decision metadata (JSON) into ``folder``."""
    import skops.io as sio

    folder.mkdir(parents=True, exist_ok=True)
    sio.dump(model.pipeline, folder / MODEL_FILE)
    meta = {
        **model.metadata,
        "threshold": model.threshold,
        "positive_label": model.positive_label,
        "negative_label": model.negative_label,
    }
    (folder / META_FILE).write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return folder / MODEL_FILE


def load(folder: Path) -> TrainedModel:
    """Load the model saved in ``folder``.

    Raises:
        ModelLoadError: no model there (train first), or the file holds types outside
            ``TRUSTED_TYPES``.

    """
    import skops.io as sio

    path, meta_path = folder / MODEL_FILE, folder / META_FILE
    if not path.is_file() or not meta_path.is_file():
        raise ModelLoadError(f"no trained model in {folder}: run `make train` first")
    untrusted = set(sio.get_untrusted_types(file=path))
    unexpected = sorted(untrusted - TRUSTED_TYPES)
    if unexpected:
        raise ModelLoadError(
            f"{path} holds types this project does not trust: {', '.join(unexpected)}; "
            "retrain the model instead of loading a file from elsewhere"
        )
    pipeline = sio.load(path, trusted=sorted(untrusted))
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    return TrainedModel(
        pipeline=pipeline,
        threshold=float(meta.pop("threshold")),
        positive_label=str(meta.pop("positive_label")),
        negative_label=str(meta.pop("negative_label")),
        metadata=meta,
    )
