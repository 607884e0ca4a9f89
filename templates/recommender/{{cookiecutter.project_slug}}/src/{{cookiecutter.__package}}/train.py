"""Stage 2: fit every enabled model on the training interactions and save it with skops.

Training time and the saved size are recorded in ``models/training.json`` because they are
part of the trade-off: a model that is slightly more accurate but takes an hour to retrain
or a gigabyte to ship may be the wrong choice.
"""

from __future__ import annotations

import json
import time

from {{ cookiecutter.__package }}.config import Config
from {{ cookiecutter.__package }}.models import build_model, save_model
from {{ cookiecutter.__package }}.prepare import load_dataset

__all__ = ["train"]


def train(config: Config) -> dict[str, dict[str, float]]:
    """Fit and save each enabled model; return ``{name: {fit_seconds, size_bytes}}``."""
    dataset = load_dataset(config)
    models = config.models
    stats: dict[str, dict[str, float]] = {}
    for name in models.enabled:
        model = build_model(
            name,
            seed=config.seed,
            neighbours=models.item_knn.neighbours,
            l2=models.ease.l2,
            popularity_weight=models.content.popularity_weight,
        )
        start = time.perf_counter()
        model.fit(dataset.train, dataset.features)
        fit_seconds = time.perf_counter() - start
        size = save_model(model, config.models_dir / f"{name}.skops")
        stats[name] = {"fit_seconds": fit_seconds, "size_bytes": size}
    path = config.models_dir / "training.json"
    path.write_text(json.dumps(stats, indent=2) + "\n", encoding="utf-8")
    return stats
