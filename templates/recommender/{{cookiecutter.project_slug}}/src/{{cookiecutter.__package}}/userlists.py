"""The results site's interactive part: each model's list for a sample of users, side by side.

A reviewer learns more from one user's lists than from a table of means: popularity's list
is the same for everyone, EASE's follows the history, random's is noise. So the report
exports, for a seeded sample of the users judged on the test period, their recent history
and every model's top-k **as the test evaluation produced it** (the lists ``evaluate`` saved
in ``models/test-lists.npz``, so even the random baseline's seeded lists are the judged ones
and nothing is scored twice), with each item marked when the user went on to choose it
in the test period. Beside the lists go each model's metrics from ``metrics.json`` with their
intervals (accuracy, coverage, novelty, long tail: what trades off), and the served cold-start
model's answers for a few users no model saw, from their first few interactions.

The sample is bounded (``SAMPLE_USERS``) so the page stays small on any dataset; the payload
refers to items by their place in a shared table, so a title shown in many lists is stored once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy import sparse

from {{ cookiecutter.__package }}.config import Config
from {{ cookiecutter.__package }}.data import Dataset, Group
from {{ cookiecutter.__package }}.evaluate import LISTS_FILE
from {{ cookiecutter.__package }}.models import load_model
from {{ cookiecutter.__package }}.prepare import load_dataset

__all__ = [
    "COLD_START_METRICS",
    "COLD_START_USERS",
    "HISTORY_SHOWN",
    "METRICS_SHOWN",
    "SAMPLE_USERS",
    "lists_payload",
]

#: Known users exported, at most: enough to browse, small enough for any page.
SAMPLE_USERS = 200
#: Cold-start users exported, at most.
COLD_START_USERS = 5
#: The most recent interactions shown of a user's history.
HISTORY_SHOWN = 5
#: What the page shows per model: (key, where in metrics.json's model entry, label, x, unit).
#: Shares are shown in per cent (x 100); each value keeps its exact number for readers.
METRICS_SHOWN: tuple[tuple[str, tuple[str, ...], str, float, str], ...] = (
    ("ndcg", ("accuracy", "ndcg"), "NDCG@{k}", 1.0, ""),
    ("hit_rate", ("accuracy", "hit_rate"), "Users with a hit", 100.0, "%"),
    ("coverage", ("beyond_accuracy", "coverage"), "Catalogue coverage", 100.0, "%"),
    ("novelty", ("beyond_accuracy", "novelty"), "Novelty", 1.0, " bits"),
    ("long_tail", ("beyond_accuracy", "long_tail"), "Long-tail share", 100.0, "%"),
    ("cold_start_ndcg", ("cold_start", "ndcg"), "Cold-start NDCG@{k}", 1.0, ""),
)
#: What the cold-start answer shows of its model's ``cold_start`` entry in metrics.json.
COLD_START_METRICS: tuple[tuple[str, tuple[str, ...], str, float, str], ...] = (
    ("ndcg", ("ndcg",), "Cold-start NDCG@{k}", 1.0, ""),
    ("hit_rate", ("hit_rate",), "Cold-start users with a hit", 100.0, "%"),
)


def _lookup(entry: dict[str, Any], path: Sequence[str]) -> Any:
    value: Any = entry
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def model_metrics(
    entry: dict[str, Any], k: int, shown_metrics: Sequence[tuple[Any, ...]] = METRICS_SHOWN
) -> list[dict[str, Any]]:
    """Return the metrics the page shows for one model of ``metrics.json``, with intervals.

    A number with no interval (coverage describes the whole catalogue) has ``low`` and
    ``high`` null; a metric the run has none of (no cold-start users) is left out.
    """
    shown = []
    for key, path, label, scale, unit in shown_metrics:
        value = _lookup(entry, path)
        if value is None:
            continue
        interval = value if isinstance(value, dict) else {"estimate": value}
        shown.append(
            {
                "key": key,
                "path": list(path),
                "label": label.format(k=k),
                "estimate": interval["estimate"],
                "low": interval.get("low"),
                "high": interval.get("high"),
                "scale": scale,
                "unit": unit,
            }
        )
    return shown


class _Catalogue:
    """The items the payload names, each stored once; lists refer to them by position."""

    def __init__(self, dataset: Dataset) -> None:
        self.dataset = dataset
        self.position: dict[int, int] = {}
        self.rows: list[list[str]] = []

    def refs(self, items: Sequence[int] | np.ndarray) -> list[int]:
        out = []
        for item in (int(i) for i in items):
            if item not in self.position:
                self.position[item] = len(self.rows)
                self.rows.append([str(self.dataset.item_ids[item]), str(self.dataset.titles[item])])
            out.append(self.position[item])
        return out


def _sample(size: int, most: int, seed: int) -> np.ndarray:
    """Return up to ``most`` positions of ``range(size)``, seeded, in ascending order."""
    if size <= most:
        return np.arange(size)
    return np.sort(np.random.default_rng(seed).choice(size, size=most, replace=False))


def _in_order(dataset: Dataset, rows: np.ndarray, mask: np.ndarray) -> dict[int, list[int]]:
    """Return the items of each user row's interactions under ``mask``, oldest first.

    One pass over the interactions for all the sampled users, not one per user.
    """
    frame = dataset.interactions
    chosen = frame[mask & frame["_row"].isin(rows).to_numpy()]
    chosen = chosen.sort_values(["_row", "position"], kind="stable")
    found = {int(row): [int(i) for i in items] for row, items in chosen.groupby("_row")["_col"]}
    return {int(row): found.get(int(row), []) for row in rows}


def _hits(targets: sparse.csr_matrix, row: int, items: np.ndarray) -> list[int]:
    """Return the ranks (0 for the first) of the listed items the user chose in the period."""
    chosen = set(targets[row].indices.tolist())
    return [rank for rank, item in enumerate(items) if int(item) in chosen]


def _judged(config: Config) -> dict[str, np.ndarray]:
    """Return the lists ``evaluate`` saved (``LISTS_FILE``), or nothing if it saved none."""
    path = config.models_dir / LISTS_FILE
    if not path.is_file():
        return {}
    with np.load(path, allow_pickle=False) as saved:
        return {key: saved[key] for key in saved.files}


def _recommend(
    config: Config, name: str, group: Group, k: int, judged: dict[str, np.ndarray], kind: str
) -> np.ndarray:
    """Return the group's lists as ``evaluate`` judged them: saved, or scored the same way.

    ``kind`` is the group ("warm" or "cold_start"). The saved lists are used when they
    belong to the same users with ``k`` items each; otherwise the whole group is scored again
    in the batches ``evaluate`` uses, so even the random baseline's lists are the judged ones.
    """
    lists, users = judged.get(f"{name}/{kind}"), judged.get(f"users/{kind}")
    width = min(k, group.history.shape[1])
    same_users = users is not None and np.array_equal(users, group.users)
    if lists is not None and same_users and lists.shape == (group.size, width):
        return lists.astype(np.int64)
    model = load_model(config.models_dir / f"{name}.skops")
    return model.recommend(group.history, k, exclude=group.exclude)


def _cold_start(
    config: Config,
    dataset: Dataset,
    cold: Group,
    metrics: dict[str, Any],
    catalogue: _Catalogue,
    judged: dict[str, np.ndarray],
) -> dict[str, Any] | None:
    """Return the served cold-start model's answers for a seeded few cold-start users."""
    k = int(metrics["k"])
    cold_name = metrics["served"]["cold_start_model"]
    if not cold.size or cold_name not in metrics["models"]:
        return None
    answers = _recommend(config, cold_name, cold, k, judged, "cold_start")
    cold_sample = _sample(cold.size, COLD_START_USERS, config.seed)
    first = (dataset.interactions["position"] < dataset.cold_start_known).to_numpy()
    given = _in_order(dataset, cold.users[cold_sample], first)
    cold_users = []
    for position in cold_sample:
        row = int(cold.users[position])
        cold_users.append(
            {
                "id": str(dataset.user_ids[row]),
                "given": catalogue.refs(given[row]),
                "held_out": int(cold.targets[position].nnz),
                "list": catalogue.refs(answers[position]),
                "hits": _hits(cold.targets, int(position), answers[position]),
            }
        )
    return {
        "model": cold_name,
        "known": int(metrics["cold_start_known"]),
        "users_judged": int(cold.size),
        "metrics": model_metrics(
            metrics["models"][cold_name]["cold_start"] or {}, k, COLD_START_METRICS
        ),
        "users": cold_users,
    }


def lists_payload(config: Config, metrics: dict[str, Any]) -> dict[str, Any]:
    """Return the ``interactive`` object of kind ``recommender`` for ``site-data.json``.

    ``metrics`` is ``reports/metrics.json`` as ``evaluate`` wrote it; the models are the ones
    ``train`` saved. The sample is drawn with the config's seed, so it is the same every run.

    Raises:
        FileNotFoundError: ``prepare`` or ``train`` has not run.
        modelfile.ModelFileError: a saved model cannot be loaded safely.

    """
    dataset = load_dataset(config)
    phase = dataset.phase("test")
    warm, cold = phase.warm, phase.cold
    k = int(metrics["k"])
    names = config.names
    catalogue = _Catalogue(dataset)
    models = list(metrics["models"])
    judged = _judged(config)
    lists = {name: _recommend(config, name, warm, k, judged, "warm") for name in models}
    sample = _sample(warm.size, SAMPLE_USERS, config.seed)
    before_test = (dataset.interactions["period"] != "test").to_numpy()
    histories = _in_order(dataset, warm.users[sample], before_test)

    users = []
    for position in sample:
        row = int(warm.users[position])
        history = histories[row]
        users.append(
            {
                "id": str(dataset.user_ids[row]),
                "history": catalogue.refs(history[::-1][:HISTORY_SHOWN]),
                "history_count": len(history),
                "held_out": int(warm.targets[position].nnz),
                "lists": {name: catalogue.refs(lists[name][position]) for name in models},
                "hits": {
                    name: _hits(warm.targets, int(position), lists[name][position])
                    for name in models
                },
            }
        )

    served = metrics["served"]
    return {
        "kind": "recommender",
        "k": k,
        "confidence": metrics["confidence"],
        "names": names.model_dump(),
        "served": {"model": served["model"], "cold_start_model": served["cold_start_model"]},
        "sample": {"users": len(users), "of": int(warm.size), "seed": config.seed},
        "models": [
            {
                "name": name,
                "description": metrics["models"][name]["description"],
                "metrics": model_metrics(metrics["models"][name], k),
            }
            for name in models
        ],
        "items": catalogue.rows,
        "users": users,
        "cold_start": _cold_start(config, dataset, cold, metrics, catalogue, judged),
    }
