"""Stage 2: choose a model by cross-validation on the training rows, then its threshold.

Three candidates share one preprocessor: a baseline that predicts the base rate for everyone
(what "no model" scores), a logistic regression, and gradient-boosted trees. They are compared
by stratified cross-validation on the training split only; the winner is refitted on the
whole training split, and its decision threshold is the one with the lowest expected cost on
the validation split, given what each error costs. The test split is not read here.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd
import sklearn
from sklearn.base import clone
from sklearn.dummy import DummyClassifier
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_validate
from sklearn.pipeline import Pipeline
from threadpoolctl import threadpool_limits

from . import __version__
from .config import Config, parse_args
from .costs import best_threshold
from .data import FeatureSchema, load_split, load_summary, prepare_features
from .features import build_preprocessor
from .modelio import save_model

__all__ = ["BASELINE", "METRICS", "candidates", "cross_validate_candidates", "main", "train"]

log = logging.getLogger(__name__)

BASELINE = "baseline"
METRICS = ("roc_auc", "average_precision", "neg_brier_score")
# Rows kept in the model metadata so the API can check, at start-up, that the loaded model
# still scores them as it did after training.
REFERENCE_ROWS = 25


def candidates(schema: FeatureSchema, seed: int, max_categories: int) -> dict[str, Pipeline]:
    """Return the unfitted candidate pipelines, the baseline first."""
    estimators: dict[str, Any] = {
        BASELINE: DummyClassifier(strategy="prior"),
        "logistic_regression": LogisticRegression(max_iter=2000),
        "gradient_boosting": HistGradientBoostingClassifier(
            max_iter=150, learning_rate=0.08, early_stopping=False, random_state=seed
        ),
    }
    return {
        name: Pipeline(
            [("features", build_preprocessor(schema, max_categories)), ("model", estimator)]
        )
        for name, estimator in estimators.items()
    }


def cross_validate_candidates(
    pipelines: dict[str, Pipeline], x: pd.DataFrame, y: pd.Series, config: Config
) -> dict[str, dict[str, dict[str, float]]]:
    """Score each candidate by stratified k-fold cross-validation on ``x``, ``y``.

    Returns, per candidate and metric, the mean and standard deviation over the folds: the
    spread says whether a difference between candidates is larger than the noise.
    """
    folds = StratifiedKFold(
        n_splits=config.model.cv_folds, shuffle=True, random_state=config.random_seed
    )
    results = {}
    for name, pipeline in pipelines.items():
        scores = cross_validate(
            pipeline, x, y, cv=folds, scoring=list(METRICS), n_jobs=config.model.n_jobs
        )
        results[name] = {
            metric: {
                "mean": float(np.mean(scores[f"test_{metric}"])),
                "std": float(np.std(scores[f"test_{metric}"])),
            }
            for metric in METRICS
        }
        log.info(
            "%s: cross-validated %s %.3f",
            name,
            config.model.selection_metric,
            results[name][config.model.selection_metric]["mean"],
        )
    return results


def _select(results: dict[str, dict[str, dict[str, float]]], metric: str) -> str:
    # Higher is better for every metric in METRICS (the Brier score is negated); ties keep
    # the earlier, simpler candidate.
    best = max(results, key=lambda name: results[name][metric]["mean"])
    if best == BASELINE:
        log.warning("no model beats the baseline in cross-validation; the baseline is kept")
    return best


def _reference(
    pipeline: Pipeline, validation: pd.DataFrame, schema: FeatureSchema
) -> dict[str, Any]:
    rows = prepare_features(validation.head(REFERENCE_ROWS), schema)
    records = [
        {k: (None if pd.isna(v) else v) for k, v in row.items()}
        for row in rows.to_dict(orient="records")
    ]
    return {
        "records": records,
        "probabilities": pipeline.predict_proba(rows)[:, 1].tolist(),
    }


def train(config: Config) -> dict[str, Any]:
    """Select, fit and save the model and its threshold; return the saved metadata."""
    summary = load_summary(config)
    schema = FeatureSchema.from_dict(summary["schema"])
    train_rows = load_split(config, "train")
    validation = load_split(config, "validation")
    x_train, y_train = prepare_features(train_rows, schema), train_rows[config.target]
    x_val, y_val = prepare_features(validation, schema), validation[config.target]

    pipelines = candidates(schema, config.random_seed, config.model.max_categories)
    # Gradient boosting uses every core through OpenMP by default; on a small table, or a
    # machine shared with other work, waiting for those threads costs more than they save.
    with threadpool_limits(limits=config.model.n_jobs, user_api="openmp"):
        results = cross_validate_candidates(pipelines, x_train, y_train, config)
        chosen = _select(results, config.model.selection_metric)
        pipeline = clone(pipelines[chosen]).fit(x_train, y_train)

    val_scores = pipeline.predict_proba(x_val)[:, 1]
    threshold = best_threshold(y_val.to_numpy(), val_scores, config.costs.errors)
    config.paths.processed.mkdir(parents=True, exist_ok=True)
    pd.DataFrame({"label": y_val.to_numpy(), "score": val_scores}).to_parquet(
        config.paths.processed / "validation_scores.parquet", index=False
    )
    metadata = {
        "model_name": chosen,
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "project_version": __version__,
        "sklearn_version": sklearn.__version__,
        "threshold": threshold,
        "target": config.target,
        "positive_label": config.positive_label,
        "positive_name": config.positive_name,
        "negative_name": config.negative_name,
        "schema": schema.to_dict(),
        "selection_metric": config.model.selection_metric,
        "cross_validation": results,
        "validation": {
            "rows": len(validation),
            "roc_auc": float(roc_auc_score(y_val, val_scores)),
            "average_precision": float(average_precision_score(y_val, val_scores)),
            "brier": float(brier_score_loss(y_val, val_scores)),
        },
        "reference": _reference(pipeline, validation, schema),
    }
    saved = save_model(pipeline, metadata, config.paths.models)
    log.info("saved %s with threshold %.3f to %s", saved["version"], threshold, config.paths.models)
    return saved


def main(argv: Sequence[str] | None = None) -> None:
    """Command line entry point: ``python -m <package>.train [--config params.yaml]``."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    train(parse_args(__doc__ or "", argv))


if __name__ == "__main__":
    main()
