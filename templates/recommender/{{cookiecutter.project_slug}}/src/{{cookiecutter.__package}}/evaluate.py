"""Stage 3: judge every trained model on the test period, once, and write the numbers.

Known users are scored from everything they did before the test period; cold-start users,
whom no model saw, from their first few interactions only. Every accuracy and list metric is
a mean over users with a bootstrap interval, and every comparison a report may state (model
against model, on the same users) is a paired difference with its own interval: two models
scored on the same users share most of their luck, so only their paired difference says
whether one is ahead. Coverage, Gini and personalisation describe the whole catalogue (no
interval); training time, latency and size show what accuracy costs. Everything lands in
``reports/metrics.json``.
"""

from __future__ import annotations

import json
import time
from typing import Any

import numpy as np
from scipy import sparse

from {{ cookiecutter.__package }}.config import Config
from {{ cookiecutter.__package }}.data import Group
from {{ cookiecutter.__package }}.metrics import (
    ACCURACY_METRICS,
    catalogue_coverage,
    gini,
    personalisation,
    target_popularity,
)
from {{ cookiecutter.__package }}.models import Recommender, load_model
from {{ cookiecutter.__package }}.prepare import load_dataset
from {{ cookiecutter.__package }}.progress import track
from {{ cookiecutter.__package }}.scoring import (
    Catalogue,
    GroupScores,
    Resampling,
    compare_all,
    score_group,
)
from {{ cookiecutter.__package }}.tuning import read_training, served_models

__all__ = ["COMPARED", "LISTS_FILE", "evaluate"]

#: Written by the evaluate stage into models/: every model's judged top-k lists per group
#: and the users they belong to, so the report shows these lists instead of recomputing them.
LISTS_FILE = "test-lists.npz"
# Single-request latency is the median over this many one-user calls.
LATENCY_SAMPLE = 30
# Points of the exposure Lorenz curve stored for the popularity-bias figure.
LORENZ_POINTS = 21
#: Per-user values compared between every pair of models, per group of users.
COMPARED = {
    "warm": ("ndcg", "precision", "long_tail", "novelty", "diversity"),
    "cold_start": ("ndcg", "precision"),
}


def _lorenz(recs: np.ndarray, n_items: int) -> list[float]:
    exposure = np.sort(np.bincount(recs.ravel(), minlength=n_items)).astype(np.float64)
    cumulative = np.concatenate([[0.0], np.cumsum(exposure) / max(exposure.sum(), 1.0)])
    at = np.linspace(0, n_items, LORENZ_POINTS).round().astype(int)
    return [float(v) for v in cumulative[at]]


def _single_request_ms(model: Recommender, history: sparse.csr_matrix, k: int) -> float:
    rows = np.linspace(0, history.shape[0] - 1, min(LATENCY_SAMPLE, history.shape[0])).astype(int)
    timings = []
    for row in rows:
        start = time.perf_counter()
        model.recommend(history[row : row + 1], k)
        timings.append(time.perf_counter() - start)
    return float(np.median(timings) * 1000)


def _intervals(scores: GroupScores, names: tuple[str, ...], resampling: Resampling) -> dict:
    # One draw of the resamples for every metric of these users: the same intervals as one
    # ``resampling.interval`` each, at a fraction of the cost with tens of thousands of users.
    return resampling.intervals(
        {name: scores.per_user[name] for name in names if name in scores.per_user}
    )


#: Per-user list metrics beyond accuracy, with an interval each.
BEYOND_METRICS = ("long_tail", "novelty", "diversity")


def _beyond(
    scores: GroupScores, n_items: int, per_user: dict[str, Any], group: Group
) -> dict[str, Any]:
    """Measure what accuracy hides in the known users' lists (``per_user``: the intervals)."""
    return {
        "coverage": catalogue_coverage(scores.recs, n_items),
        "gini": gini(scores.recs, n_items),
        "personalisation": personalisation(scores.recs),
        "long_tail": per_user["long_tail"],
        "novelty": per_user["novelty"],
        "diversity": per_user.get("diversity"),
        "batch_microseconds_per_user": scores.seconds / max(1, group.size) * 1e6,
    }


def _comparisons(
    scored: dict[str, dict[str, GroupScores]], resampling: Resampling
) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for group, names in COMPARED.items():
        models = {model: by_group[group] for model, by_group in scored.items() if group in by_group}
        if not models:
            continue
        out[group] = {
            metric: compare_all({m: s.per_user[metric] for m, s in models.items()}, resampling)
            for metric in names
            if all(metric in s.per_user for s in models.values())
        }
    return out


def _cold_start_cost(
    known: GroupScores, full: GroupScores, withheld: np.ndarray, resampling: Resampling
) -> dict[str, Any] | None:
    """Score the same users on the same targets from their whole history and from a few."""
    if not withheld.any():
        return None
    whole = full.per_user["ndcg"][withheld]
    few = known.per_user["ndcg"][withheld]
    return {
        "users": int(withheld.sum()),
        "full_history": resampling.interval(whole),
        "known_only": resampling.interval(few),
        "difference": resampling.difference(whole, few),
    }


def _targets(
    warm: Group, cold: Group, item_counts: np.ndarray, resampling: Resampling
) -> dict[str, Any]:
    """How popular each group's targets are: whether the groups are judged on alike tasks."""
    warm_values = target_popularity(warm.targets, item_counts)
    result: dict[str, Any] = {"warm": resampling.interval(warm_values), "cold_start": None}
    if cold.size:
        cold_values = target_popularity(cold.targets, item_counts)
        # Different users: the pair is resampled as two independent groups of users.
        result["cold_start"] = resampling.interval(cold_values)
        result["difference"] = resampling.group_difference(cold_values, warm_values)
    return result


def _save_lists(
    config: Config, scored: dict[str, dict[str, GroupScores]], warm: Group, cold: Group
) -> None:
    """Keep the judged lists (``LISTS_FILE``) for the report: scoring them again costs minutes."""
    arrays = {"users/warm": warm.users, "users/cold_start": cold.users}
    for name, groups in scored.items():
        arrays.update({f"{name}/{group}": s.recs.astype(np.int32) for group, s in groups.items()})
    np.savez(config.models_dir / LISTS_FILE, **arrays)


def evaluate(config: Config) -> dict[str, Any]:
    """Evaluate every trained model on the test period, write ``reports/metrics.json``.

    Raises:
        FileNotFoundError: ``prepare`` or ``train`` has not run.

    """
    dataset = load_dataset(config)
    training = read_training(config)
    summary = json.loads((config.processed_dir / "summary.json").read_text(encoding="utf-8"))
    evaluation = config.evaluation
    k = evaluation.k
    resampling = Resampling(evaluation.bootstrap_resamples, evaluation.confidence, config.seed)
    phase = dataset.phase("test")
    warm, cold = phase.warm, phase.cold
    catalogue = Catalogue.of(phase.fit, dataset.features)
    n_items = dataset.item_ids.size

    results: dict[str, Any] = {}
    scored: dict[str, dict[str, GroupScores]] = {}
    for name in track(config.models.enabled, description="evaluate", unit="model"):
        model = load_model(config.models_dir / f"{name}.skops")
        known = score_group(model, warm, k=k, catalogue=catalogue)
        scored[name] = {"warm": known}
        intervals = _intervals(known, ACCURACY_METRICS + BEYOND_METRICS, resampling)
        beyond = _beyond(known, n_items, intervals, warm)
        beyond["single_request_ms"] = _single_request_ms(model, warm.history, k)
        cold_result: dict[str, Any] | None = None
        if cold.size:
            new = score_group(model, cold, k=k, catalogue=catalogue)
            full = score_group(model, cold, k=k, catalogue=catalogue, history=cold.full_history)
            scored[name]["cold_start"] = new
            cold_result = {
                "users": cold.size,
                **_intervals(new, ACCURACY_METRICS, resampling),
                "cost": _cold_start_cost(new, full, cold.withheld, resampling),
            }
        results[name] = {
            "description": model.description,
            # With no item features the content model has only its popularity prior.
            "fallback": "popularity" if name == "content" and dataset.features is None else None,
            "hyperparameters": training["models"][name]["hyperparameters"],
            # The part of the catalogue a model ranks, when its budget restricted it (EASE).
            "restriction": training["models"][name].get("restriction"),
            "accuracy": {m: intervals[m] for m in ACCURACY_METRICS if m in intervals},
            "cold_start": cold_result,
            "beyond_accuracy": beyond,
            "training": {
                key: training["models"][name][key] for key in ("fit_seconds", "size_bytes")
            },
            "exposure_lorenz": _lorenz(known.recs, n_items),
        }

    _save_lists(config, scored, warm, cold)
    model, cold_start_model = served_models(config)
    metrics = {
        "k": k,
        "confidence": evaluation.confidence,
        "bootstrap_resamples": evaluation.bootstrap_resamples,
        "warm_users": warm.size,
        "cold_start_users": cold.size,
        "cold_start_known": config.split.cold_start_known,
        "served": {"model": model, "cold_start_model": cold_start_model},
        "dataset": summary,
        "examples": dataset.examples(test=phase),
        "validation": training["validation"],
        "targets": _targets(warm, cold, catalogue.item_counts, resampling),
        "models": results,
        "comparisons": _comparisons(scored, resampling),
    }
    config.reports_dir.mkdir(parents=True, exist_ok=True)
    (config.reports_dir / "metrics.json").write_text(
        json.dumps(metrics, indent=2) + "\n", encoding="utf-8"
    )
    return metrics
