"""Save and load the model with skops, trusting exactly the types listed here; never pickle.

Loading a pickle runs whatever code the file names, so a model file is as dangerous as a
script. ``modelfile.py`` refuses any type skops does not trust by default unless it is in
``TRUSTED_TYPES``: the exact names the candidates of ``train.py`` are made of, written here
and reviewed like code, never a prefix and never read from ``model.json`` (which sits beside
the model and would be replaced with it). ``model.json`` keeps the model file's SHA-256 to
catch a model and metadata that no longer belong together (a half-copied folder, a failed
retrain). Messages name files, never the server's folders: they reach API clients.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sklearn.pipeline import Pipeline

from .modelfile import ModelFileError, dump_model, load_model_file

__all__ = [
    "META_FILE",
    "MODEL_FILE",
    "TRUSTED_TYPES",
    "LoadedModel",
    "ModelError",
    "load_metadata",
    "load_model",
    "save_model",
    "sha256",
]

MODEL_FILE = "model.skops"
META_FILE = "model.json"
#: Every type in a saved candidate pipeline (``train.candidates``) that some skops version
#: pyproject.toml allows does not trust by default: skops 0.12-0.13 trusts none of these,
#: later versions some. Each is part of every candidate file written with the scikit-learn
#: versions allowed (1.7 on), and tests/test_modelio.py checks both directions: a model
#: needs nothing outside this set, and nothing in it is absent from the models. A new model
#: type in ``train.py`` that needs another name fails at ``make train`` with the name to
#: review and add here.
TRUSTED_TYPES = frozenset(
    {
        "numpy.dtype",
        "sklearn._loss.link.Interval",
        "sklearn._loss.link.LogitLink",
        "sklearn._loss.loss.HalfBinomialLoss",
        "sklearn.ensemble._hist_gradient_boosting.binning._BinMapper",
        "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
    }
)
_RETRAIN = "run `make train` to train and save a model"


class ModelError(RuntimeError):
    """The model is missing, altered, or does not match its metadata; retraining fixes it."""


@dataclass(frozen=True)
class LoadedModel:
    """A verified pipeline and the metadata saved with it."""

    pipeline: Pipeline
    metadata: dict[str, Any]


def sha256(path: Path) -> str:
    """Return the hex SHA-256 of the file at ``path``."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _write_json(path: Path, values: dict[str, Any]) -> None:
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    with os.fdopen(handle, "w", encoding="utf-8") as file:
        file.write(json.dumps(values, indent=2, allow_nan=False) + "\n")
    Path(temporary).replace(path)


def save_model(pipeline: Pipeline, metadata: dict[str, Any], folder: Path) -> dict[str, Any]:
    """Write ``model.skops`` and ``model.json`` to ``folder``; return the full metadata.

    The returned metadata adds the file hash and a version that changes whenever the
    model's bytes do.

    Raises:
        ModelError: the pipeline holds a type outside ``TRUSTED_TYPES``; nothing is written.

    """
    model_path = folder / MODEL_FILE
    try:
        dump_model(pipeline, model_path, trusted=TRUSTED_TYPES)
    except ModelFileError as err:
        raise ModelError(str(err)) from err
    digest = sha256(model_path)
    full = {**metadata, "version": f"{metadata['model_name']}-{digest[:12]}", "sha256": digest}
    _write_json(folder / META_FILE, full)
    return full


def load_metadata(folder: Path) -> dict[str, Any]:
    """Read ``model.json`` without loading the model.

    Raises:
        ModelError: the file is missing or unreadable.

    """
    path = folder / META_FILE
    try:
        metadata = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as err:
        raise ModelError(f"no model metadata ({META_FILE}): {_RETRAIN}") from err
    except OSError as err:
        raise ModelError(f"cannot read {META_FILE} ({err.strerror}): {_RETRAIN}") from err
    except ValueError as err:
        raise ModelError(f"{META_FILE} is not valid JSON: {_RETRAIN}") from err
    if not isinstance(metadata, dict):
        raise ModelError(f"{META_FILE} does not hold model metadata: {_RETRAIN}")
    return metadata


def load_model(folder: Path) -> LoadedModel:
    """Load and verify the model saved in ``folder``.

    Raises:
        ModelError: a file is missing, the model's hash differs from its metadata, it names
            a type outside ``TRUSTED_TYPES`` (nothing in it has run then), or it is not a
            pipeline; the message says to run ``make train`` and names no folder.

    """
    metadata = load_metadata(folder)
    model_path = folder / MODEL_FILE
    if not model_path.is_file():
        raise ModelError(f"no model file ({MODEL_FILE}): {_RETRAIN}")
    if sha256(model_path) != metadata.get("sha256"):
        raise ModelError(f"{MODEL_FILE} does not match {META_FILE} (different SHA-256): {_RETRAIN}")
    try:
        pipeline = load_model_file(model_path, trusted=TRUSTED_TYPES)
    except ModelFileError as err:
        raise ModelError(str(err)) from err
    if not isinstance(pipeline, Pipeline):
        raise ModelError(f"{MODEL_FILE} holds a {type(pipeline).__name__}, not a pipeline")
    return LoadedModel(pipeline, metadata)
