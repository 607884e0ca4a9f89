"""Save and load the model with skops and an explicit list of trusted types, never pickle.

Loading a pickle runs whatever code the file names, so a model file is as dangerous as a
script. skops refuses every type it does not trust unless told otherwise. At save time the
types skops does not trust by default are listed with ``skops.io.get_untrusted_types``,
checked against the libraries this project uses, and stored in ``model.json`` with the file's
SHA-256. At load time the file must hash the same and name no type outside that list, and
only that list is passed to ``skops.io.load``: ``trusted=True`` is never used.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import skops.io as sio
from sklearn.pipeline import Pipeline

__all__ = [
    "META_FILE",
    "MODEL_FILE",
    "TRUSTED_MODULES",
    "LoadedModel",
    "ModelError",
    "load_model",
    "save_model",
    "sha256",
]

MODEL_FILE = "model.skops"
META_FILE = "model.json"
# A fitted scikit-learn pipeline is made of these libraries' types; anything else in a model
# file means it was not written by this project's training code.
TRUSTED_MODULES = ("sklearn.", "numpy.", "scipy.")
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
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _check_types(types: list[str]) -> None:
    outside = sorted(t for t in types if not t.startswith(TRUSTED_MODULES))
    if outside:
        raise ModelError(
            f"the model contains types outside {', '.join(TRUSTED_MODULES)}: "
            f"{', '.join(outside)}; refusing to trust them"
        )


def save_model(pipeline: Pipeline, metadata: dict[str, Any], folder: Path) -> dict[str, Any]:
    """Write ``model.skops`` and ``model.json`` to ``folder``; return the full metadata.

    The returned metadata adds the trusted-type list, the file hash and a version that
    changes whenever the model's bytes do.

    Raises:
        ModelError: the pipeline holds a type from outside the trusted libraries.

    """
    folder.mkdir(parents=True, exist_ok=True)
    model_path = folder / MODEL_FILE
    sio.dump(pipeline, model_path)
    trusted = sorted(sio.get_untrusted_types(file=model_path))
    try:
        _check_types(trusted)
    except ModelError:
        model_path.unlink()
        raise
    digest = sha256(model_path)
    full = {
        **metadata,
        "version": f"{metadata['model_name']}-{digest[:12]}",
        "sha256": digest,
        "trusted_types": trusted,
    }
    (folder / META_FILE).write_text(json.dumps(full, indent=2) + "\n", encoding="utf-8")
    return full


def load_metadata(folder: Path) -> dict[str, Any]:
    """Read ``model.json`` without loading the model.

    Raises:
        ModelError: the file is missing or unreadable.

    """
    path = folder / META_FILE
    try:
        metadata: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as err:
        raise ModelError(f"no model metadata at {path}: {_RETRAIN}") from err
    except (OSError, ValueError) as err:
        raise ModelError(f"cannot read {path} ({err}): {_RETRAIN}") from err
    return metadata


def load_model(folder: Path) -> LoadedModel:
    """Load and verify the model saved in ``folder``.

    Raises:
        ModelError: a file is missing, the model's hash or types differ from its metadata,
            or it is not a pipeline; the message says to run ``make train``.

    """
    metadata = load_metadata(folder)
    model_path = folder / MODEL_FILE
    if not model_path.is_file():
        raise ModelError(f"no model at {model_path}: {_RETRAIN}")
    if sha256(model_path) != metadata.get("sha256"):
        raise ModelError(
            f"{model_path} does not match {folder / META_FILE} (different SHA-256): {_RETRAIN}"
        )
    trusted = [str(t) for t in metadata.get("trusted_types", [])]
    _check_types(trusted)
    unexpected = sorted(set(sio.get_untrusted_types(file=model_path)) - set(trusted))
    if unexpected:
        raise ModelError(
            f"{model_path} contains types not listed in its metadata "
            f"({', '.join(unexpected)}): {_RETRAIN}"
        )
    try:
        pipeline = sio.load(model_path, trusted=trusted)
    except Exception as err:  # skops raises many types for a corrupt or foreign file
        raise ModelError(f"cannot load {model_path} ({err}): {_RETRAIN}") from err
    if not isinstance(pipeline, Pipeline):
        raise ModelError(f"{model_path} holds a {type(pipeline).__name__}, not a pipeline")
    return LoadedModel(pipeline, metadata)
