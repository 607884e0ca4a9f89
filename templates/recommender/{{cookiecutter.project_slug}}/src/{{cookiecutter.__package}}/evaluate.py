"""Stage 3: score every model on the held-out interactions, once, and write the numbers.

Warm users are judged on their held-out interactions given their training history;
cold-start users, whom no model saw in training, on what they did next given only their
first few interactions. Accuracy comes with bootstrap intervals over users; coverage,
novelty, diversity, popularity concentration, personalisation, training time, latency and
size show what accuracy hides. Everything lands in ``reports/metrics.json``.
"""

from __future__ import annotations

import json
import time
from typing import Any

import numpy as np
from scipy import sparse

from {{ cookiecutter.__package }}.config import Config
from {{ cookiecutter.__package }}.metrics import (
    accuracy_per_user,
    catalogue_coverage,
    gini,
    intra_list_diversity,
    novelty,
    personalisation,
    popular_share,
)
from {{ cookiecutter.__package }}.models import Recommender, load_model
from {{ cookiecutter.__package }}.prepare import load_dataset
from {{ cookiecutter.__package }}.uncertainty import bootstrap_mean

__all__ = ["evaluate", "evaluate_model"]

# Single-request latency is the median over this many one-user calls.
LATENCY_SAMPLE = 30
# Points of the exposure Lorenz curve stored for the popularity-bias figure.
LORENZ_POINTS = 21


def _intervals(per_user: dict[str, np.ndarray], config: Config) -> dict[str, dict[str, float]]:
    evaluation = config.evaluation
    return {
        name: bootstrap_mean(
            values,
            n_resamples=evaluation.bootstrap_resamples,
            confidence=evaluation.confidence,
            seed=config.seed,
        ).to_dict()
        for name, values in per_user.items()
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


def evaluate_model(
    model: Recommender,
    history: sparse.csr_matrix,
    truth: sparse.csr_matrix,
    *,
    k: int,
    item_counts: np.ndarray,
    n_train_users: int,
    features: sparse.csr_matrix | None,
) -> tuple[dict[str, np.ndarray], dict[str, Any], np.ndarray]:
    """Return per-user accuracy, catalogue-level metrics and the lists for one user group."""
    start = time.perf_counter()
    recs = model.recommend(history, k)
    seconds = time.perf_counter() - start
    n_items = truth.shape[1]
    beyond = {
        "coverage": catalogue_coverage(recs, n_items),
        "novelty": float(novelty(recs, item_counts, n_train_users).mean()),
        "diversity": None
        if features is None
        else float(intra_list_diversity(recs, features).mean()),
        "gini": gini(recs, n_items),
        "personalisation": personalisation(recs),
        "popular_share": popular_share(recs, item_counts),
        "batch_seconds": seconds,
        "latency_ms_per_user": seconds / max(1, history.shape[0]) * 1000,
    }
    return accuracy_per_user(recs, truth), beyond, recs


def evaluate(config: Config) -> dict[str, Any]:
    """Evaluate every trained model, write ``reports/metrics.json`` and return its content.

    Raises:
        FileNotFoundError: ``prepare`` or ``train`` has not run.

    """
    dataset = load_dataset(config)
    training_path = config.models_dir / "training.json"
    if not training_path.is_file():
        raise FileNotFoundError(f"{training_path} not found: run `make train` first")
    training = json.loads(training_path.read_text(encoding="utf-8"))
    summary = json.loads((config.processed_dir / "summary.json").read_text(encoding="utf-8"))
    k = config.evaluation.k
    warm, cold = dataset.warm_users, dataset.cold_users
    item_counts = np.asarray(dataset.train.sum(axis=0)).ravel()
    n_train_users = int((dataset.train.getnnz(axis=1) > 0).sum())
    common = {
        "k": k,
        "item_counts": item_counts,
        "n_train_users": n_train_users,
        "features": dataset.features,
    }

    results: dict[str, Any] = {}
    for name in config.models.enabled:
        model = load_model(config.models_dir / f"{name}.skops")
        accuracy, beyond, recs = evaluate_model(
            model, dataset.train[warm], dataset.test[warm], **common
        )
        beyond["single_request_ms"] = _single_request_ms(model, dataset.train[warm], k)
        cold_result: dict[str, Any] | None = None
        if cold.size:
            cold_accuracy, _, _ = evaluate_model(
                model, dataset.cold_known[cold], dataset.cold_test[cold], **common
            )
            cold_result = {"users": int(cold.size), **_intervals(cold_accuracy, config)}
        results[name] = {
            "description": model.description,
            # With no item features the content model has only its popularity prior.
            "fallback": "popularity" if name == "content" and dataset.features is None else None,
            "accuracy": _intervals(accuracy, config),
            "cold_start": cold_result,
            "beyond_accuracy": beyond,
            "training": training[name],
            "exposure_lorenz": _lorenz(recs, dataset.item_ids.size),
        }

    metrics = {
        "k": k,
        "confidence": config.evaluation.confidence,
        "bootstrap_resamples": config.evaluation.bootstrap_resamples,
        "warm_users": int(warm.size),
        "cold_start_users": int(cold.size),
        "cold_start_known": config.split.cold_start_known,
        "dataset": summary,
        "examples": dataset.examples(),
        "models": results,
    }
    config.reports_dir.mkdir(parents=True, exist_ok=True)
    (config.reports_dir / "metrics.json").write_text(
        json.dumps(metrics, indent=2) + "\n", encoding="utf-8"
    )
    return metrics
