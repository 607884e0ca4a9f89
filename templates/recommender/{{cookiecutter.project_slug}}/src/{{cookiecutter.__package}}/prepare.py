"""Stage 1: read the configured source, split it, and save the split for the later stages.

Saving the split (Parquet, with a ``role`` per interaction) means training and evaluation
read exactly the same rows, and ``data/processed/summary.json`` records what was kept.
"""

from __future__ import annotations

import json

import pandas as pd

from {{ cookiecutter.__package }}.config import Config
from {{ cookiecutter.__package }}.data import Dataset, load_raw
from {{ cookiecutter.__package }}.split import split_interactions

__all__ = ["load_dataset", "prepare"]


def prepare(config: Config) -> dict[str, object]:
    """Split the configured data, write it under ``data/processed/`` and return its summary."""
    interactions, items = load_raw(config)
    split = split_interactions(interactions, config.split, config.seed)
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
    counts = split["role"].value_counts()
    per_user = split.groupby("user_id").size()
    summary: dict[str, object] = {
        "source": config.data.source,
        "strategy": config.split.strategy,
        "users": int(split["user_id"].nunique()),
        "items": int(
            len(set(split["item_id"]) | set(items["item_id"] if items is not None else []))
        ),
        "interactions": len(split),
        "has_metadata": items is not None,
        "train_interactions": int(counts.get("train", 0)),
        "test_interactions": int(counts.get("test", 0)),
        "warm_users_evaluated": int(split.loc[split["role"] == "test", "user_id"].nunique()),
        "cold_start_users": int(split.loc[split["role"] == "cold_test", "user_id"].nunique()),
        "users_too_short_to_evaluate": int((per_user < config.split.min_user_interactions).sum()),
        "density": len(split) / max(1, split["user_id"].nunique() * split["item_id"].nunique()),
        "first_timestamp": int(split["timestamp"].min()),
        "last_timestamp": int(split["timestamp"].max()),
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return summary


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
    return Dataset.from_split(interactions, items)
