"""Stage 3: score the held-out test split once and measure everything the report states.

Every metric comes with a bootstrap confidence interval, and every comparison with a paired
one: the decision metrics are taken at the business threshold chosen on validation data (not
at 0.5); the model's errors are priced per ``cases_per_period`` cases against the policies
that need no model and against the default threshold, case by case on the same resampled test
cases (``policies.py``); calibration is checked the same way; and each subgroup column gets
fairlearn's per-group table, its two summary differences with intervals, and paired gaps
between groups large enough to compare (``subgroups.py``). The result is
``reports/metrics.json``, the single source of every number and sentence in the README.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.calibration import calibration_curve

from . import metrics, summary
from .calibration import Calibration, brier_comparison
from .config import Config, parse_args
from .costs import confusion_counts, expected_cost
from .data import FeatureSchema, load_split, load_summary, prepare_features, subgroup_values
from .intervals import resampled_values
from .modelio import load_model
from .policies import Bootstrap, Names, Pricing, ScoredCases, analyse_policies
from .progress import StageBar
from .subgroups import subgroup_report
from .uncertainty import interval_from_resamples

__all__ = [
    "SCORE_METRICS",
    "THRESHOLD_METRICS",
    "bootstrap_options",
    "calibration",
    "reliability_bins",
    "evaluate",
    "main",
    "metric_intervals",
    "names",
    "pricing",
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


def bootstrap_options(config: Config) -> Bootstrap:
    """Return the resampling the config asks for, shared by every interval."""
    return Bootstrap(
        n_resamples=config.evaluation.bootstrap_resamples,
        confidence=config.evaluation.confidence,
        seed=config.random_seed,
    )


def pricing(config: Config) -> Pricing:
    """Return what errors cost and the volume a period, from the config."""
    return Pricing(
        config.costs.errors, config.cases_per_period, config.costs.currency, config.period
    )


def names(config: Config) -> Names:
    """Return the words for the two classes and for a case, from the config."""
    return Names(config.positive_name, config.negative_name, config.case_name)


def _interval(
    name: str,
    metric: Callable[[Any, Any], float],
    y: np.ndarray,
    values: np.ndarray,
    resampled: np.ndarray,
    confidence: float,
) -> dict[str, float] | None:
    try:
        return interval_from_resamples(metric(y, values), resampled, confidence).to_dict()
    except ValueError as err:
        log.warning("no interval for %s: %s", name, err)
        return None


def metric_intervals(
    y: np.ndarray, scores: np.ndarray, threshold: float, config: Config
) -> dict[str, dict[str, float] | None]:
    """Return each test metric as ``{estimate, low, high, confidence}`` (None if undefined).

    Every metric is computed on the same resampled test cases, all in one vectorised pass
    (``intervals.py``), the resamples ``bootstrap_metric`` would draw for the same seed.
    """
    flagged = scores >= threshold
    inputs = {name: (f, scores) for name, f in SCORE_METRICS.items()}
    inputs.update({name: (f, flagged) for name, f in THRESHOLD_METRICS.items()})
    options = bootstrap_options(config)
    resampled = resampled_values(
        y,
        inputs,
        n_resamples=options.n_resamples,
        seed=options.seed,
        description="test intervals",
    )
    return {
        name: _interval(name, f, y, values, resampled[name], options.confidence)
        for name, (f, values) in inputs.items()
    }


def reliability_bins(y: np.ndarray, scores: np.ndarray, bins: int = 10) -> list[dict[str, float]]:
    """Return predicted against observed positive rates in quantile bins of the score."""
    observed, predicted = calibration_curve(y, scores, n_bins=bins, strategy="quantile")
    return [
        {"predicted": float(p), "observed": float(o)}
        for p, o in zip(predicted, observed, strict=True)
    ]


def calibration(
    y: np.ndarray, raw: np.ndarray, scores: np.ndarray, meta: dict[str, Any], config: Config
) -> dict[str, Any]:
    """Report the calibration chosen on validation, and what it does to the test Brier score."""
    chosen = dict(meta["calibration"])
    result: dict[str, Any] = {
        **chosen,
        "bins": reliability_bins(y, scores),
        "bins_uncalibrated": reliability_bins(y, raw),
        "test_brier": None,
        "test_text": None,
    }
    if chosen["kept"]:
        options = bootstrap_options(config).options()
        comparison, text = brier_comparison(
            y, raw, scores, cases="test cases", units="test cases", **options
        )
        result["test_brier"], result["test_text"] = comparison, text
    return result


@dataclass(frozen=True)
class _Scored:
    """What every measurement of the test split reads."""

    y: np.ndarray
    raw: np.ndarray
    scores: np.ndarray
    threshold: float
    groups: pd.DataFrame
    validation: pd.DataFrame
    meta: dict[str, Any]


def _business(scored: _Scored, config: Config) -> dict[str, Any]:
    return analyse_policies(
        ScoredCases.of(scored.validation["label"], scored.validation["score"]),
        ScoredCases.of(scored.y, scored.scores),
        threshold=scored.threshold,
        pricing=pricing(config),
        names=names(config),
        bootstrap=bootstrap_options(config),
    )


def _subgroups(scored: _Scored, config: Config) -> dict[str, Any]:
    return subgroup_report(
        scored.y,
        scored.scores,
        scored.threshold,
        scored.groups,
        min_size=config.evaluation.min_group_size,
        bootstrap=bootstrap_options(config),
    )


_MEASURES: dict[str, Callable[[_Scored, Config], Any]] = {
    "test intervals": lambda s, c: metric_intervals(s.y, s.scores, s.threshold, c),
    "calibration": lambda s, c: calibration(s.y, s.raw, s.scores, s.meta, c),
    "business": _business,
    "subgroups": _subgroups,
}


def evaluate(config: Config) -> dict[str, Any]:
    """Score the test split once; write ``reports/metrics.json`` and the test scores."""
    model = load_model(config.paths.models)
    meta = model.metadata
    schema = FeatureSchema.from_dict(meta["schema"])
    test = load_split(config, "test")
    y = test[config.target].to_numpy()
    raw = model.pipeline.predict_proba(prepare_features(test, schema))[:, 1]
    scores = Calibration.from_dict(meta["calibration"]).apply(raw)
    threshold = float(meta["threshold"])
    flagged = scores >= threshold
    counts = confusion_counts(y, flagged)
    validation = pd.read_parquet(config.paths.processed / "validation_scores.parquet")
    options = bootstrap_options(config)

    groups = pd.DataFrame({c: subgroup_values(test, c) for c in config.subgroup_columns})
    # The intervals are the slow part at size: one bar names the part running.
    measured: dict[str, Any] = {}
    with StageBar(list(_MEASURES), "evaluate") as bar:
        for name, measure in _MEASURES.items():
            bar.start(name)
            measured[name] = measure(
                _Scored(y, raw, scores, threshold, groups, validation, meta), config
            )
    results: dict[str, Any] = {
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
        "evaluation": {
            "bootstrap_resamples": options.n_resamples,
            "confidence": options.confidence,
            "min_group_size": config.evaluation.min_group_size,
        },
        "cross_validation": meta["cross_validation"],
        "selection_sample": meta.get("selection_sample"),
        "selection": meta.get("selection"),
        "validation": meta["validation"],
        "validation_comparisons": meta["validation_comparisons"],
        "test": {
            "rows": len(test),
            "positives": int(y.sum()),
            "metrics": measured["test intervals"],
            "confusion_matrix": {
                "tp": counts.tp,
                "fp": counts.fp,
                "tn": counts.tn,
                "fn": counts.fn,
            },
            "expected_cost": expected_cost(counts, config.costs.errors),
        },
        "calibration": measured["calibration"],
        "business": measured["business"],
        "subgroups": measured["subgroups"],
    }
    results["figures"] = summary.figure_captions(results)
    results["headline"] = summary.headline(results)
    results["claims"] = summary.claims(results)

    config.paths.reports.mkdir(parents=True, exist_ok=True)
    (config.paths.reports / "metrics.json").write_text(
        json.dumps(results, indent=2, allow_nan=False) + "\n", encoding="utf-8"
    )
    scored = groups.assign(label=y, score=scores, raw_score=raw)
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
