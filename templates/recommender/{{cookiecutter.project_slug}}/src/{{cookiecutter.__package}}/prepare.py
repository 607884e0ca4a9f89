"""Stage 1: read the configured source, split it, and save the split for the later stages.

Saving the split (Parquet, with a ``period`` per interaction) means training and evaluation
read exactly the same rows, and ``data/processed/summary.json`` records what was kept.
"""

from __future__ import annotations

import json

import pandas as pd

from {{ cookiecutter.__package }}.config import Config
from {{ cookiecutter.__package }}.data import Dataset, Phase, load_raw
from {{ cookiecutter.__package }}.progress import StageBar
from {{ cookiecutter.__package }}.split import PERIODS, split_interactions

__all__ = ["PREPARE_STAGES", "SAMPLE_INTERACTIONS", "load_dataset", "prepare"]

#: What prepare does, in order: the names its progress bar shows.
PREPARE_STAGES = ("read", "split", "write", "summarise")
#: The bundled synthetic sample, relative to the project root (see data/sample/README.md).
SAMPLE_INTERACTIONS = "data/sample/interactions.csv"


def prepare(config: Config) -> dict[str, object]:
    """Split the configured data, write it under ``data/processed/`` and return its summary.

    The summary also says how the files were read, what was dropped, how the periods fell
    and whether the item metadata gives the content model anything to use: the report's data
    block says it all.
    """
    with StageBar(list(PREPARE_STAGES), "prepare") as bar:
        bar.start("read")
        loaded = load_raw(config)
        items = loaded.items
        bar.start("split")
        split = split_interactions(loaded.interactions, config.split, config.seed)
        bar.start("write")
        out = config.processed_dir
        out.mkdir(parents=True, exist_ok=True)
        # Derived data is rebuilt by `make prepare`, never committed (MovieLens may not be
        # redistributed, even split), whatever the project's own .gitignore says.
        (out / ".gitignore").write_text("*\n", encoding="utf-8")
        split.to_parquet(out / "interactions.parquet", index=False)
        if items is not None:
            items.to_parquet(out / "items.parquet", index=False)
        else:
            (out / "items.parquet").unlink(missing_ok=True)
        bar.start("summarise")
        dataset = _dataset(split, items, config)
        per_user = split.groupby("user_id").size()
        periods = split["period"].value_counts()
        summary: dict[str, object] = {
            "source": config.data.source,
            "bundled_sample": _is_bundled_sample(config),
            "reading": loaded.reading,
            "notes": list(loaded.notes),
            "strategy": config.split.strategy,
            "test_fraction": config.split.test_fraction,
            "validation_fraction": config.split.validation_fraction,
            "min_user_interactions": config.split.min_user_interactions,
            "cold_start_known": config.split.cold_start_known,
            "users": int(split["user_id"].nunique()),
            "items": int(dataset.item_ids.size),
            "interactions": len(split),
            "has_metadata": items is not None,
            "content_features": 0 if dataset.features is None else int(dataset.features.shape[1]),
            "periods": {name: int(periods.get(name, 0)) for name in PERIODS},
            "cuts": _cuts(split) if config.split.strategy == "global" else None,
            "withheld_users": int(split.loc[split["withheld"], "user_id"].nunique()),
            "phases": {
                name: _phase_summary(dataset.phase(name)) for name in ("validation", "test")
            },
            "users_too_short_to_evaluate": int(
                (per_user < config.split.min_user_interactions).sum()
            ),
            "density": len(split) / max(1, split["user_id"].nunique() * split["item_id"].nunique()),
            "first_timestamp": int(split["timestamp"].min()),
            "last_timestamp": int(split["timestamp"].max()),
        }
        (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return summary


def _cuts(split: pd.DataFrame) -> dict[str, int]:
    """Return the first timestamp of each held-out period of a global split."""
    return {
        name: int(split.loc[split["period"] == name, "timestamp"].min())
        for name in ("validation", "test")
    }


def _phase_summary(phase: Phase) -> dict[str, object]:
    return {
        "warm_users": phase.warm.size,
        "warm_targets": int(phase.warm.targets.nnz),
        "cold_start_users": phase.cold.size,
        "cold_start_targets": int(phase.cold.targets.nnz),
        "new_users": phase.new_users,
        "future_share": phase.future_share,
    }


def _dataset(split: pd.DataFrame, items: pd.DataFrame | None, config: Config) -> Dataset:
    return Dataset.from_split(
        split,
        items,
        min_user_interactions=config.split.min_user_interactions,
        cold_start_known=config.split.cold_start_known,
    )


def _is_bundled_sample(config: Config) -> bool:
    """Whether the numbers come from the synthetic sample shipped in ``data/sample/``."""
    interactions = config.data.interactions
    return (
        config.data.source == "file"
        and interactions is not None
        and interactions.path.resolve() == (config.root / SAMPLE_INTERACTIONS).resolve()
    )


def load_dataset(config: Config) -> Dataset:
    """Read the split written by ``prepare`` back as a ``Dataset``.

    Raises:
        FileNotFoundError: ``prepare`` has not run for this configuration (``make prepare``).

    """
    folder = config.processed_dir
    path = folder / "interactions.parquet"
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found: run `make prepare` first")
    interactions = pd.read_parquet(path)
    items_path = folder / "items.parquet"
    items = pd.read_parquet(items_path) if items_path.is_file() else None
    return _dataset(interactions, items, config)
