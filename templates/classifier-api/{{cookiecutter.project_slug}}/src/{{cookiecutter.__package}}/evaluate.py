"""Stage 3: score the held-out test split once and measure everything the report states.

Every metric comes with a bootstrap confidence interval, the decision metrics are taken at
the business threshold chosen on validation data (not at 0.5), errors are priced per
``cases_per_period`` cases against the two policies that need no model, and each subgroup
column gets the same metrics group by group through fairlearn's ``MetricFrame``. The result
is ``reports/metrics.json``, the single source of every number in the README.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from fairlearn.metrics import MetricFrame
from sklearn.calibration import calibration_curve

from . import metrics
from .config import Config, parse_args
from .costs import business_table, confusion_counts, expected_cost
from .data import FeatureSchema, load_split, load_summary, prepare_features, subgroup_values
from .modelio import load_model
from .uncertainty import bootstrap_metric

__all__ = [
    "MIN_COUNT",
    "SCORE_METRICS",
    "THRESHOLD_METRICS",
    "calibration",
    "evaluate",
    "main",
    "metric_intervals",
    "subgroup_report",
]

log = logging.getLogger(__name__)

SCORE_METRICS: dict[str, Callable[[Any, Any], float]] = {
    "roc_auc": metrics.roc_auc,
    "average_precision": metrics.average_precision,
    "brier": metrics.brier,
}
THRESHOLD_METRICS: dict[str, Callable[[Any, Any], float]] = {
    "precision": metrics.precision,
    "recall": metrics.recall,
    "f1": metrics.f1,
}
# A rate resting on fewer cases than this swings by tens of points from one sample to the
# next: it is still listed, but not used to name the largest gap.
MIN_COUNT = 20
# Each compared rate, and the count it is a share of within the group.
_GAP_METRICS = {
    "recall": "positives",
    "false_positive_rate": "negatives",
    "precision": "flagged",
    "flagged_rate": "cases",
}


def _interval(
    metric: Callable[[Any, Any], float], y: np.ndarray, values: np.ndarray, config: Config
) -> dict[str, float] | None:
    try:
        return bootstrap_metric(
            metric,
            y,
            values,
            n_resamples=config.evaluation.bootstrap_resamples,
            confidence=config.evaluation.confidence,
            seed=config.random_seed,
        ).to_dict()
    except ValueError as err:
        log.warning("no interval for %s: %s", getattr(metric, "__name__", metric), err)
        return None


def metric_intervals(
    y: np.ndarray, scores: np.ndarray, threshold: float, config: Config
) -> dict[str, dict[str, float] | None]:
    """Return each test metric as ``{estimate, low, high, confidence}`` (None if undefined)."""
    flagged = scores >= threshold
    results = {name: _interval(f, y, scores, config) for name, f in SCORE_METRICS.items()}
    results.update(
        {name: _interval(f, y, flagged, config) for name, f in THRESHOLD_METRICS.items()}
    )
    return results


def calibration(y: np.ndarray, scores: np.ndarray, bins: int = 10) -> list[dict[str, float]]:
    """Return predicted against observed positive rates in quantile bins of the score."""
    observed, predicted = calibration_curve(y, scores, n_bins=bins, strategy="quantile")
    return [
        {"predicted": float(p), "observed": float(o)}
        for p, o in zip(predicted, observed, strict=True)
    ]


def _or_nan(metric: Callable[[Any, Any], float]) -> Callable[[Any, Any], float]:
    def wrapped(y: Any, values: Any) -> float:
        try:
            return metric(y, values)
        except ValueError:
            return math.nan

    return wrapped


def _group_metrics(threshold: float) -> dict[str, Callable[[Any, Any], float]]:
    # MetricFrame hands every metric the group's labels and scores; decisions are derived
    # here, at the one business threshold, so all groups are judged by the same rule.
    def at_threshold(metric: Callable[[Any, Any], float]) -> Callable[[Any, Any], float]:
        return _or_nan(lambda y, s: metric(y, np.asarray(s) >= threshold))

    return {
        "cases": lambda y, s: float(len(y)),
        "positives": lambda y, s: float(np.sum(np.asarray(y))),
        "negatives": lambda y, s: float(len(y) - np.sum(np.asarray(y))),
        "flagged": lambda y, s: float(np.sum(np.asarray(s) >= threshold)),
        "positive_rate": lambda y, s: float(np.mean(np.asarray(y))),
        "flagged_rate": at_threshold(metrics.flagged_rate),
        "precision": at_threshold(metrics.precision),
        "recall": at_threshold(metrics.recall),
        "false_positive_rate": at_threshold(metrics.false_positive_rate),
        "roc_auc": _or_nan(metrics.roc_auc),
    }


def _clean(value: float) -> float | None:
    return None if math.isnan(value) else float(value)


def subgroup_report(
    y: np.ndarray, scores: np.ndarray, threshold: float, groups: pd.DataFrame
) -> dict[str, Any]:
    """Return, per subgroup column, the metrics of every group and the largest gap.

    The gap is the largest difference between two groups in recall, false positive rate,
    precision or flagged rate: the metric in which the model treats groups most differently.
    A group's rate takes part only if it rests on at least ``MIN_COUNT`` cases (positives
    for recall, negatives for the false positive rate, flagged cases for precision).
    """
    report: dict[str, Any] = {}
    for column in groups.columns:
        frame = MetricFrame(
            metrics=_group_metrics(threshold),
            y_true=y,
            y_pred=scores,
            sensitive_features=groups[column].rename(column),
        )
        by_group = frame.by_group
        rows = [
            {
                "group": str(group),
                **{name: _clean(float(value)) for name, value in row.items()},
            }
            for group, row in by_group.iterrows()
        ]
        for row in rows:
            for count in ("cases", "positives", "negatives", "flagged"):
                row[count] = int(row[count])
        gap = None
        for name, count in _GAP_METRICS.items():
            values = by_group.loc[by_group[count] >= MIN_COUNT, name].dropna()
            if len(values) < 2:
                continue
            size = float(values.max() - values.min())
            if gap is None or size > gap["gap"]:
                gap = {
                    "metric": name,
                    "gap": size,
                    "highest": {"group": str(values.idxmax()), "value": float(values.max())},
                    "lowest": {"group": str(values.idxmin()), "value": float(values.min())},
                }
        report[column] = {"groups": rows, "largest_gap": gap}
    return report


def evaluate(config: Config) -> dict[str, Any]:
    """Score the test split once; write ``reports/metrics.json`` and the test scores."""
    model = load_model(config.paths.models)
    meta = model.metadata
    schema = FeatureSchema.from_dict(meta["schema"])
    test = load_split(config, "test")
    y = test[config.target].to_numpy()
    scores = model.pipeline.predict_proba(prepare_features(test, schema))[:, 1]
    threshold = float(meta["threshold"])
    flagged = scores >= threshold
    counts = confusion_counts(y, flagged)

    groups = pd.DataFrame({c: subgroup_values(test, c) for c in config.subgroup_columns})
    results = {
        "model": {
            key: meta[key]
            for key in ("model_name", "version", "trained_at", "threshold", "selection_metric")
        },
        "data": {k: v for k, v in load_summary(config).items() if k != "schema"},
        "costs": {
            "false_positive": config.costs.false_positive,
            "false_negative": config.costs.false_negative,
            "currency": config.costs.currency,
            "per": config.cases_per_period,
            "period": config.period,
            "case_name": config.case_name,
            "positive_name": config.positive_name,
            "negative_name": config.negative_name,
        },
        "cross_validation": meta["cross_validation"],
        "validation": meta["validation"],
        "test": {
            "rows": len(test),
            "positives": int(y.sum()),
            "metrics": metric_intervals(y, scores, threshold, config),
            "confusion_matrix": {
                "tp": counts.tp,
                "fp": counts.fp,
                "tn": counts.tn,
                "fn": counts.fn,
            },
            "expected_cost": expected_cost(counts, config.costs.errors),
        },
        "calibration": calibration(y, scores),
        "business": business_table(
            y,
            flagged,
            config.costs.errors,
            per=config.cases_per_period,
            positive_name=config.positive_name,
            negative_name=config.negative_name,
        ),
        "subgroups": subgroup_report(y, scores, threshold, groups),
    }

    config.paths.reports.mkdir(parents=True, exist_ok=True)
    (config.paths.reports / "metrics.json").write_text(
        json.dumps(results, indent=2, allow_nan=False) + "\n", encoding="utf-8"
    )
    scored = groups.assign(label=y, score=scores)
    scored.to_parquet(config.paths.processed / "test_scores.parquet", index=False)
    roc = results["test"]["metrics"]["roc_auc"]
    if roc is not None:
        log.info("test ROC-AUC %.3f [%.3f, %.3f]", roc["estimate"], roc["low"], roc["high"])
    return results


def main(argv: Sequence[str] | None = None) -> None:
    """Command line entry point: ``python -m <package>.evaluate [--config params.yaml]``."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    evaluate(parse_args(__doc__ or "", argv))


if __name__ == "__main__":
    main()
