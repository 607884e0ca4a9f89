"""Stage 2: choose a model by cross-validation on the training rows, then calibrate and threshold.

Three candidates share one preprocessor: a baseline that predicts the base rate for everyone
(what "no model" scores), a logistic regression, and gradient-boosted trees. They are compared
by stratified cross-validation on the training split only (on a seeded, stratified sample of
``model.selection_rows`` of them when there are more, so selection costs the same at any size;
the report says so); the winner is kept. Every candidate is refitted on the whole training
split and scored on the validation split, where the winner is compared with each other
candidate, paired, on the same cases; when selection was sampled and that comparison shows
another candidate ahead beyond doubt, the refitted candidate ahead is kept instead, and the
report says so. On validation too: Platt scaling, kept if cross-fitting shows it lowers the
Brier score, and the decision threshold with the lowest expected cost, given what each error
costs. The test split is not read here.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import sklearn
from sklearn.base import clone
from sklearn.dummy import DummyClassifier
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score
from sklearn.model_selection import StratifiedKFold, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.utils.parallel import Parallel, delayed
from threadpoolctl import threadpool_limits

from . import __version__, metrics
from .calibration import choose_calibration
from .claims import Wording, compare
from .config import Config, parse_args
from .costs import best_threshold
from .data import FeatureSchema, load_split, load_summary, prepare_features
from .features import build_preprocessor
from .intervals import resampled_values
from .modelio import save_model
from .policies import AMOUNT, SETTLE, SIGNED
from .progress import track
from .uncertainty import Comparison, comparison_from_resamples

__all__ = [
    "BASELINE",
    "METRICS",
    "candidates",
    "compare_on_validation",
    "cross_validate_candidates",
    "main",
    "selection_sample",
    "settle_on_validation",
    "train",
    "validation_resamples",
]

log = logging.getLogger(__name__)

BASELINE = "baseline"
METRICS = ("roc_auc", "average_precision", "neg_brier_score")
# Rows kept in the model metadata so the API can check, at start-up, that the loaded model
# still scores them as it did after training.
REFERENCE_ROWS = 25
# The fold scores, computed from one predict_proba per fold with the same definitions as
# scikit-learn's scorers (tests/test_metrics.py), so METRICS cost one prediction, not three.
_FOLD_METRICS = {
    "roc_auc": metrics.roc_auc,
    "average_precision": metrics.average_precision,
    "neg_brier_score": lambda y, s: -metrics.brier(y, s),
}
# Each selection metric's function in metrics.py (the Brier score is negated, so that higher
# is better) and its name in words.
_SELECTION = {
    "roc_auc": (metrics.roc_auc, "ROC-AUC"),
    "average_precision": (metrics.average_precision, "average precision"),
    "neg_brier_score": (metrics.brier, "Brier score (lower is better)"),
}


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


def selection_sample(
    x: pd.DataFrame, y: pd.Series, config: Config
) -> tuple[pd.DataFrame, pd.Series, dict[str, Any]]:
    """Return the training rows to cross-validate on, and what was done, for the report.

    Cross-validation fits every candidate once per fold, so its cost is the table's size
    times folds times candidates. Above ``model.selection_rows`` rows, a stratified random
    sample of that many (seeded by ``random_seed``) ranks the candidates nearly as well: the
    fold-to-fold spread shrinks like one over the square root of the rows, and was 0.003 of
    ROC-AUC on 100,000 rows of the benchmark's synthetic loans. Candidates closer than that
    are a toss-up at any size, and the paired comparison on every validation case, which
    follows, says so in words. Selection then costs the same at a million rows as at a
    hundred thousand, and every candidate is still refitted on every training row.
    """
    limit = config.model.selection_rows
    rows = len(x)
    if limit is None or rows <= limit:
        return x, y, {"rows": rows, "of": rows, "sampled": False, "seed": None, "text": ""}
    x_sample, _, y_sample, _ = train_test_split(
        x, y, train_size=limit, stratify=y, random_state=config.random_seed
    )
    text = (
        f"Cross-validated on a stratified random sample of {limit:,} of the {rows:,} "
        f"training rows (seed {config.random_seed}, `model.selection_rows` in params.yaml), "
        "so choosing a model costs the same at any size; every candidate was then refitted "
        "on all training rows."
    )
    info = {"rows": limit, "of": rows, "sampled": True, "seed": config.random_seed, "text": text}
    return x_sample, y_sample, info


def _fold_scores(
    pipeline: Pipeline, x: pd.DataFrame, y: npt.NDArray[Any], fit: Any, score: Any
) -> dict[str, float]:
    fitted = clone(pipeline).fit(x.iloc[fit], y[fit])
    scores = fitted.predict_proba(x.iloc[score])[:, 1]
    return {name: float(metric(y[score], scores)) for name, metric in _FOLD_METRICS.items()}


def cross_validate_candidates(
    pipelines: dict[str, Pipeline], x: pd.DataFrame, y: pd.Series, config: Config
) -> dict[str, dict[str, dict[str, float]]]:
    """Score each candidate by stratified k-fold cross-validation on ``x``, ``y``.

    Returns, per candidate and metric, the mean and standard deviation over the folds: the
    spread says whether a difference between candidates is larger than the noise. The fits
    run ``model.n_jobs`` at a time behind one progress bar over every candidate's folds.
    """
    folds = StratifiedKFold(
        n_splits=config.model.cv_folds, shuffle=True, random_state=config.random_seed
    )
    labels = y.to_numpy()
    tasks = [
        (name, fit, score)
        for name in pipelines
        for fit, score in folds.split(np.zeros(len(labels)), labels)
    ]
    size = config.model.n_jobs
    batches = [tasks[i : i + size] for i in range(0, len(tasks), size)]
    scored: dict[str, list[dict[str, float]]] = {name: [] for name in pipelines}
    with Parallel(n_jobs=size) as parallel:
        for batch in track(
            batches, description="cross-validation", unit="fit" if size == 1 else "batch"
        ):
            done = parallel(
                delayed(_fold_scores)(pipelines[name], x, labels, fit, score)
                for name, fit, score in batch
            )
            for (name, _, _), fold in zip(batch, done, strict=True):
                scored[name].append(fold)
    results = {}
    for name, per_fold in scored.items():
        results[name] = {
            metric: {
                "mean": float(np.mean([fold[metric] for fold in per_fold])),
                "std": float(np.std([fold[metric] for fold in per_fold])),
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


def _metric_digits(value: float) -> str:
    return f"{value:.3f}"


def validation_resamples(
    scores: dict[str, Any], y: Any, config: Config
) -> dict[str, npt.NDArray[np.float64]]:
    """Return each candidate's selection metric on the same resamples of the validation cases.

    One pass serves every pair, so any candidate can be compared with any other, paired.
    """
    metric, _ = _SELECTION[config.model.selection_metric]
    return resampled_values(
        y,
        {candidate: (metric, values) for candidate, values in scores.items()},
        n_resamples=config.evaluation.bootstrap_resamples,
        seed=config.random_seed,
        description="validation comparisons",
    )


def _paired(
    chosen: str,
    scores: dict[str, Any],
    y: Any,
    resampled: dict[str, npt.NDArray[np.float64]],
    config: Config,
) -> dict[str, Comparison]:
    """Return ``chosen`` against each other candidate, higher always better (Brier negated)."""
    metric, _ = _SELECTION[config.model.selection_metric]
    sign = -1.0 if config.model.selection_metric == "neg_brier_score" else 1.0
    return {
        other: comparison_from_resamples(
            (sign * metric(y, scores[chosen]), sign * metric(y, other_scores)),
            sign * resampled[chosen],
            sign * resampled[other],
            n=len(y),
            confidence=config.evaluation.confidence,
        )
        for other, other_scores in scores.items()
        if other != chosen
    }


def settle_on_validation(
    chosen: str,
    scores: dict[str, Any],
    y: Any,
    resampled: dict[str, npt.NDArray[np.float64]],
    config: Config,
    *,
    sampled: bool,
) -> tuple[str, str]:
    """Return the candidate to keep and, when it is not ``chosen``, the sentence saying why.

    Cross-validation on a sample ranks candidates fitted on that sample; the refitted ones
    saw every training row, and a flexible model gains more from rows than a linear one (on
    the benchmark's million synthetic loans the sample kept logistic regression while the
    refitted gradient boosting was ahead on validation by 0.004 [0.004, 0.005] of ROC-AUC).
    So when selection was sampled and the paired comparison on the validation cases shows,
    with an interval that excludes zero, a candidate ahead of the cross-validated choice,
    that candidate is kept (the best on validation of those ahead). A difference the
    interval cannot tell from zero leaves the cross-validated choice alone, and without
    sampling cross-validation on every training row decides, as the report says.
    """
    if not sampled:
        return chosen, ""
    ahead = [
        other
        for other, comparison in _paired(chosen, scores, y, resampled, config).items()
        if comparison.difference.direction < 0
    ]
    if not ahead:
        return chosen, ""
    metric, label = _SELECTION[config.model.selection_metric]
    sign = -1.0 if config.model.selection_metric == "neg_brier_score" else 1.0
    kept = max(ahead, key=lambda other: sign * metric(y, scores[other]))
    text = (
        f"Refitted on every training row, {kept} ranked ahead of {chosen}, the "
        f"cross-validated choice, on the validation cases by an interval that excludes zero "
        f"(below), so {kept} is kept: the sample ranks models fitted on the sample, and "
        f"validation {label} measures the refitted ones."
    )
    log.info("%s", text)
    return kept, text


def compare_on_validation(
    chosen: str,
    scores: dict[str, Any],
    y: Any,
    config: Config,
    resampled: dict[str, npt.NDArray[np.float64]] | None = None,
) -> list[dict[str, Any]]:
    """Compare the chosen candidate with each other one on the same validation cases, paired.

    The selection metric is recomputed on each resample of the validation cases for both
    candidates at once, so the sentence says whether the choice made by cross-validation holds
    on cases none of them was fitted on, with an interval that reflects how they disagree.
    ``resampled`` (from the same cases and seed) saves drawing the resamples again.
    """
    _, label = _SELECTION[config.model.selection_metric]
    if resampled is None:
        resampled = validation_resamples(scores, y, config)
    results = []
    for other, comparison in _paired(chosen, scores, y, resampled, config).items():
        wording = Wording(
            ahead=f"{chosen} ranks ahead of {other} in validation {label}, by {AMOUNT}.",
            behind=f"{chosen} ranks behind {other} in validation {label}, by {AMOUNT}.",
            unclear=f"No difference in validation {label} between {chosen} and {other} these "
            f"validation cases can show: {SIGNED}; {SETTLE}.",
        )
        results.append(
            {
                "first": chosen,
                "second": other,
                "metric": config.model.selection_metric,
                "comparison": comparison.to_dict(),
                "text": compare(
                    comparison.difference,
                    wording,
                    value=_metric_digits,
                    units="validation cases",
                ),
            }
        )
    return results


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
        x_cv, y_cv, sample = selection_sample(x_train, y_train, config)
        if sample["sampled"]:
            log.info("%s", sample["text"])
        results = cross_validate_candidates(pipelines, x_cv, y_cv, config)
        cross_validated = _select(results, config.model.selection_metric)
        refits = track(
            pipelines.items(), description="refit on every row", total=len(pipelines), unit="model"
        )
        fitted = {name: clone(p).fit(x_train, y_train) for name, p in refits}
        raw_scores = {name: p.predict_proba(x_val)[:, 1] for name, p in fitted.items()}
    y_val_array = y_val.to_numpy()
    resampled = validation_resamples(raw_scores, y_val_array, config)
    chosen, settled = settle_on_validation(
        cross_validated, raw_scores, y_val_array, resampled, config, sampled=sample["sampled"]
    )
    pipeline = fitted[chosen]
    raw = raw_scores[chosen]
    calibration = choose_calibration(
        y_val_array,
        raw,
        n_resamples=config.evaluation.bootstrap_resamples,
        confidence=config.evaluation.confidence,
        seed=config.random_seed,
    )
    log.info("calibration: %s", calibration.text)
    val_scores = calibration.calibration.apply(raw)
    threshold = best_threshold(y_val_array, val_scores, config.costs.errors)
    config.paths.processed.mkdir(parents=True, exist_ok=True)
    pd.DataFrame({"label": y_val_array, "score": val_scores, "raw_score": raw}).to_parquet(
        config.paths.processed / "validation_scores.parquet", index=False
    )
    metadata = {
        "model_name": chosen,
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "project_version": __version__,
        "sklearn_version": sklearn.__version__,
        "threshold": threshold,
        "calibration": calibration.to_dict(),
        "target": config.target,
        "positive_label": config.positive_label,
        "positive_name": config.positive_name,
        "negative_name": config.negative_name,
        "schema": schema.to_dict(),
        "selection_metric": config.model.selection_metric,
        "cross_validation": results,
        "selection_sample": sample,
        "selection": {"cross_validated": cross_validated, "kept": chosen, "text": settled},
        "validation": {
            "rows": len(validation),
            "roc_auc": float(roc_auc_score(y_val, val_scores)),
            "average_precision": float(average_precision_score(y_val, val_scores)),
            "brier": float(brier_score_loss(y_val, val_scores)),
            "brier_uncalibrated": float(brier_score_loss(y_val, raw)),
        },
        "validation_comparisons": compare_on_validation(
            chosen, raw_scores, y_val_array, config, resampled
        ),
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
