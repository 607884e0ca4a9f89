"""Keep the evaluation ``evaluate`` computed, so that ``report`` does not compute it again.

``make evaluate`` then ``make report`` used to score the test set, bootstrap every interval
and compare every baseline twice: at 50,000 synthetic messages that was 20 s of the report's
24 (measured), and it grows with the test set. ``evaluate`` now saves its numbers and arrays
under ``models/``, stamped with what they were computed from: the bytes of the configuration
file and the size and modification time of every file ``train`` wrote. ``report`` reuses them
only while that stamp still matches, so a retrained model or an edited ``config.toml`` (a
price, the number of resamples, the examples shown) is always evaluated afresh.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

from . import persistence
from .config import Config
from .evaluate import Evaluation
from .train import load_split

__all__ = ["EVALUATION_FILE", "load_evaluation", "save_evaluation"]

EVALUATION_FILE = "evaluation.npz"
_PREDICTION = "prediction:"


def _stamp(config: Config) -> str:
    """Return a digest of the configuration file and of every file ``train`` saved."""
    digest = hashlib.sha256(config.path.read_bytes())
    for path in sorted(config.models_dir.iterdir()):
        if path.is_file() and not path.name.startswith(EVALUATION_FILE):
            stat = path.stat()
            digest.update(f"{path.name}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode())
    return digest.hexdigest()


def save_evaluation(config: Config, evaluation: Evaluation) -> Path:
    """Write the evaluation's numbers and arrays to ``models/``, stamped (see the module)."""
    arrays = {
        "y_test": evaluation.y_test,
        "probabilities": evaluation.probabilities,
        "raw_probabilities": evaluation.raw_probabilities,
        "y_validation": evaluation.y_validation,
        "validation_probabilities": evaluation.validation_probabilities,
        **{_PREDICTION + key: value for key, value in evaluation.predictions.items()},
    }
    if evaluation.recalibrated is not None:
        arrays["recalibrated"] = evaluation.recalibrated
    path = config.models_dir / EVALUATION_FILE
    partial = path.with_name(path.name + ".partial")
    stamp = _stamp(config)
    with partial.open("wb") as handle:
        np.savez(
            handle,
            stamp=np.array(stamp),
            metrics=np.array(json.dumps(evaluation.metrics, ensure_ascii=False)),
            **arrays,
        )
    partial.replace(path)
    return path


def load_evaluation(config: Config) -> Evaluation | None:
    """Return the evaluation ``save_evaluation`` wrote, or None if absent or out of date."""
    path = config.models_dir / EVALUATION_FILE
    if not path.is_file():
        return None
    with np.load(path, allow_pickle=False) as saved:
        if str(saved["stamp"]) != _stamp(config):
            return None
        arrays = {name: saved[name] for name in saved.files}
    model = persistence.load(config.models_dir)
    test = load_split(config).query("split == 'test'").reset_index(drop=True)
    return Evaluation(
        metrics=json.loads(str(arrays["metrics"])),
        classes=model.classes,
        costs=model.costs,
        test_texts=tuple(test["text"].tolist()),
        test_origins=tuple(str(origin) for origin in test["origin"].tolist()),
        y_test=arrays["y_test"],
        probabilities=arrays["probabilities"],
        raw_probabilities=arrays["raw_probabilities"],
        recalibrated=arrays.get("recalibrated"),
        y_validation=arrays["y_validation"],
        validation_probabilities=arrays["validation_probabilities"],
        predictions={
            name.removeprefix(_PREDICTION): value
            for name, value in arrays.items()
            if name.startswith(_PREDICTION)
        },
        pipeline=model.pipeline,
    )
