"""Stage 2: tune and choose on validation, then fit every enabled model for the test and save it.

Everything chosen is chosen here, on the validation period (``tuning``); the models are then
refitted with those choices on the training and validation periods together, the history a
model has at the moment the test period starts, and saved with skops. Training time and the
saved size are recorded in ``models/training.json`` because they are part of the trade-off: a
model slightly more accurate that takes an hour to retrain or a gigabyte to ship may be the
wrong choice.
"""

from __future__ import annotations

import json
import time
from typing import Any

from {{ cookiecutter.__package }}.config import Config
from {{ cookiecutter.__package }}.models import HYPERPARAMETERS, build_model, save_model
from {{ cookiecutter.__package }}.prepare import load_dataset
from {{ cookiecutter.__package }}.progress import track
from {{ cookiecutter.__package }}.tuning import TRAINING_FILE, options, validate

__all__ = ["train"]


def train(config: Config) -> dict[str, Any]:
    """Choose on validation, fit and save each enabled model; return what was recorded.

    Raises:
        FileNotFoundError: ``prepare`` has not run.
        ValueError: the validation period has no user to choose on.

    """
    dataset = load_dataset(config)
    validation = validate(config, dataset)
    fit = dataset.phase("test").fit
    models: dict[str, dict[str, Any]] = {}
    for name in track(config.models.enabled, description="fit for the test", unit="model"):
        value = validation.values[name]
        model = build_model(name, seed=config.seed, value=value, options=options(config, name))
        start = time.perf_counter()
        model.fit(fit, dataset.features)
        fit_seconds = time.perf_counter() - start
        size = save_model(model, config.models_dir / f"{name}.skops")
        models[name] = {
            "fit_seconds": fit_seconds,
            "size_bytes": size,
            "hyperparameters": {} if value is None else {HYPERPARAMETERS[name]: value},
            "restriction": model.restriction(),
        }
    training = {"models": models, "validation": validation.record}
    path = config.models_dir / TRAINING_FILE
    path.write_text(json.dumps(training, indent=2) + "\n", encoding="utf-8")
    return training
