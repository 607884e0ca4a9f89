"""Decide on validation everything that is chosen: hyperparameters, and the models served.

The test period is for judging, once, what was already decided; anything chosen by looking at
it (an L2 penalty, a neighbour count, which model serves new users) makes the test numbers
optimistic by exactly the amount the choice exploited. So models learn from the training
period and are scored on the validation period: each model's hyperparameter is the candidate
with the best NDCG@k for the validation period's known users, the served model is the
best-scoring one, and the cold-start model the best for its cold-start users (given only
their first few interactions). Random is the floor, never served unless it is all there is.
A choice fixed in ``config.toml`` is kept, and the record says what validation would pick.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from {{ cookiecutter.__package }}.config import Config
from {{ cookiecutter.__package }}.data import Dataset, Phase
from {{ cookiecutter.__package }}.models import (
    HYPERPARAMETERS,
    EASERecommender,
    ItemKNNRecommender,
    Recommender,
    build_model,
)
from {{ cookiecutter.__package }}.progress import track
from {{ cookiecutter.__package }}.scoring import Catalogue, Resampling, score_group

__all__ = [
    "TRAINING_FILE",
    "Validation",
    "candidates",
    "options",
    "read_training",
    "served_models",
    "validate",
]

#: Written by the train stage: what was tuned and chosen on validation, and each saved model.
TRAINING_FILE = "training.json"


@dataclass(frozen=True)
class Validation:
    """What validation chose (``values``, the served models) and the record of why (``record``)."""

    values: dict[str, float | None]
    model: str
    cold_start_model: str
    record: dict[str, Any]


def candidates(config: Config, name: str) -> tuple[float | None, ...]:
    """Return the values validation chooses from (``(None,)`` for a model with none)."""
    models = config.models
    grids: dict[str, tuple[float, ...]] = {
        "item_knn": tuple(float(n) for n in models.item_knn.neighbours),
        "ease": models.ease.l2,
        "als": tuple(float(n) for n in models.als.factors),
        "content": models.content.popularity_weight,
    }
    return grids.get(name, (None,))


def options(config: Config, name: str) -> dict[str, Any]:
    """Return a model's fixed settings from its config table (none for most models)."""
    models = config.models
    if name == "ease":
        return {
            "max_memory_gib": models.ease.max_memory_gib,
            "on_too_large": models.ease.on_too_large,
        }
    if name == "als":
        return models.als.model_dump(exclude={"factors"})
    return {}


def _tune(name: str, phase: Phase, catalogue: Catalogue, config: Config) -> dict[str, Any]:
    """Fit every candidate on the training period; keep the best on validation's known users."""
    k = config.evaluation.k
    grid = []
    best: tuple[float, float | None, Any] | None = None
    grid_values = candidates(config, name)
    # What every candidate shares is computed once, the costliest part of both at size:
    # item-kNN's similarities (each candidate keeps a prefix of the widest one's neighbours)
    # and EASE's Gram matrix (each penalty inverts its own copy).
    widest = gram = None
    if name == "item_knn":
        widest = ItemKNNRecommender(neighbours=max(config.models.item_knn.neighbours))
        widest.fit(phase.fit, catalogue.features)
    elif name == "ease":
        gram = EASERecommender(**options(config, name)).gram(phase.fit)
    for value in track(grid_values, description=f"validate {name}", unit="fit"):
        model: Recommender
        if widest is not None and value is not None:
            model = widest.narrowed(int(value))
        elif gram is not None and value is not None:
            model = EASERecommender(l2=value, **options(config, name)).fit_gram(gram, copy=True)
        else:
            model = build_model(name, seed=config.seed, value=value, options=options(config, name))
            model.fit(phase.fit, catalogue.features)
        ndcg = score_group(model, phase.warm, k=k, catalogue=catalogue).per_user["ndcg"]
        grid.append({"value": value, "ndcg": float(ndcg.mean())})
        # Strictly better only: among equals the smallest candidate (the grid is sorted) wins.
        if best is None or ndcg.mean() > best[0]:
            best = (float(ndcg.mean()), value, (model, ndcg))
    assert best is not None  # noqa: S101 - every model has at least one candidate
    _, value, (model, warm) = best
    cold = (
        score_group(model, phase.cold, k=k, catalogue=catalogue).per_user["ndcg"]
        if phase.cold.size
        else None
    )
    return {"value": value, "grid": grid, "warm": warm, "cold": cold}


def _choose(
    configured: str, scores: Mapping[str, np.ndarray], resampling: Resampling
) -> dict[str, Any]:
    """Pick the best mean of ``scores`` (random only if alone); record it against the others."""
    eligible = [name for name in scores if name != "random"] or list(scores)
    ranked = sorted(eligible, key=lambda name: -float(scores[name].mean()))
    best = ranked[0]
    name = best if configured == "auto" else configured
    return {
        "name": name,
        "how": "validation" if configured == "auto" else "config",
        "validation_best": best,
        "ranked": ranked,
        "ndcg": resampling.interval(scores[name]),
        "versus": {
            other: resampling.difference(scores[name], scores[other])
            for other in eligible
            if other != name
        },
    }


def validate(config: Config, dataset: Dataset) -> Validation:
    """Tune every enabled model and choose the served ones, on the validation period only.

    Raises:
        ValueError: no known user has interactions in the validation period, so nothing
            can be chosen (lower ``split.min_user_interactions`` or raise
            ``split.validation_fraction``).

    """
    phase = dataset.phase("validation")
    if phase.warm.size == 0:
        raise ValueError(
            "no user has interactions both in the training and in the validation period, so "
            "nothing can be tuned: raise split.validation_fraction or lower "
            "split.min_user_interactions"
        )
    evaluation = config.evaluation
    resampling = Resampling(evaluation.bootstrap_resamples, evaluation.confidence, config.seed)
    catalogue = Catalogue.of(phase.fit, dataset.features)
    limit = config.tuning.validation_users
    cap = None if limit == "all" else limit
    # Scoring every candidate on every user is most of the stage at size; a seeded sample
    # of users per group ranks the candidates alike at a fraction of the cost.
    judged = replace(
        phase, warm=phase.warm.sample(cap, config.seed), cold=phase.cold.sample(cap, config.seed)
    )
    tuned = {name: _tune(name, judged, catalogue, config) for name in config.models.enabled}

    model = _choose(config.recommend.model, {n: t["warm"] for n, t in tuned.items()}, resampling)
    cold_scores = {n: t["cold"] for n, t in tuned.items() if t["cold"] is not None}
    if cold_scores:
        cold = _choose(config.recommend.cold_start_model, cold_scores, resampling)
    else:
        # Nobody to choose on: popularity is what a product shows someone it knows nothing of.
        fallback = "popularity" if "popularity" in tuned else model["name"]
        configured = config.recommend.cold_start_model
        name = fallback if configured == "auto" else configured
        cold = {"name": name, "how": "config" if configured != "auto" else "no cold-start users"}
    record = {
        "k": evaluation.k,
        "warm_users": phase.warm.size,
        "cold_start_users": phase.cold.size,
        # Who the candidates were scored on: a seeded sample above tuning.validation_users.
        "sample": {
            "limit": limit,
            "seed": config.seed,
            "warm_users": judged.warm.size,
            "cold_start_users": judged.cold.size,
        },
        "models": {
            name: {
                "hyperparameter": HYPERPARAMETERS.get(name),
                "value": t["value"],
                "grid": t["grid"] if t["value"] is not None else [],
                "ndcg": resampling.interval(t["warm"]),
                "cold_start_ndcg": None if t["cold"] is None else resampling.interval(t["cold"]),
            }
            for name, t in tuned.items()
        },
        "selection": {"model": model, "cold_start_model": cold},
    }
    return Validation(
        values={name: t["value"] for name, t in tuned.items()},
        model=model["name"],
        cold_start_model=cold["name"],
        record=record,
    )


def read_training(config: Config) -> dict[str, Any]:
    """Return what the train stage recorded.

    Raises:
        FileNotFoundError: the models have not been trained (``make train``).

    """
    path = config.models_dir / TRAINING_FILE
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found: run `make train` first")
    training: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return training


def served_models(config: Config) -> tuple[str, str]:
    """Return the model serving known users and the cold-start one: config's or validation's.

    Raises:
        FileNotFoundError: the models have not been trained (``make train``).

    """
    chosen = read_training(config)["validation"]["selection"]
    served = config.recommend
    return (
        chosen["model"]["name"] if served.model == "auto" else served.model,
        chosen["cold_start_model"]["name"]
        if served.cold_start_model == "auto"
        else served.cold_start_model,
    )
