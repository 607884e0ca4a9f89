"""Evaluate the trained model once on the held-out test set, against its baselines.

Everything a reviewer asks of a classifier is computed here: per-class precision, recall and
F1 with bootstrap 95% intervals, macro-F1, the confusion matrix, the business table at the
cost-chosen threshold, the baselines at their own cost-chosen thresholds, the worst errors
with their text, the most informative features, and the same metrics by subgroup (message
length, URLs, numbers). Nothing is written to disk: ``report`` does that.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from sklearn.metrics import average_precision_score

from . import persistence
from .business import per_n
from .config import Config
from .costs import (
    DEFAULT_THRESHOLD,
    ErrorCosts,
    best_threshold,
    business_table,
    confusion_counts,
    expected_cost,
    threshold_markdown,
)
from .models import build_baselines, informative_features, positive_scores
from .progress import StageBar
from .train import load_facts, load_split
from .uncertainty import bootstrap_metric

__all__ = ["LENGTH_BINS", "Evaluation", "class_metrics", "evaluate", "subgroup_metrics"]

Metric = Callable[[npt.NDArray[Any], npt.NDArray[Any]], float]

# One SMS holds 160 characters; longer messages are sent in parts, which spam often is.
LENGTH_BINS = (
    (0, 60, "up to 60 characters"),
    (61, 160, "61 to 160 (one SMS)"),
    (161, math.inf, "over 160 (multi-part)"),
)
_TEXT_LIMIT = 200


def _number(value: float) -> float | None:
    """Return ``value``, or None where it is undefined: JSON has no NaN."""
    return None if math.isnan(value) else float(value)


def _precision(cls: int) -> Metric:
    def metric(y: npt.NDArray[Any], p: npt.NDArray[Any]) -> float:
        flagged = np.count_nonzero(p == cls)
        return np.count_nonzero((p == cls) & (y == cls)) / flagged if flagged else math.nan

    return metric


def _recall(cls: int) -> Metric:
    def metric(y: npt.NDArray[Any], p: npt.NDArray[Any]) -> float:
        actual = np.count_nonzero(y == cls)
        return np.count_nonzero((p == cls) & (y == cls)) / actual if actual else math.nan

    return metric


def _f1(cls: int) -> Metric:
    def metric(y: npt.NDArray[Any], p: npt.NDArray[Any]) -> float:
        both = np.count_nonzero(p == cls) + np.count_nonzero(y == cls)
        return 2 * np.count_nonzero((p == cls) & (y == cls)) / both if both else math.nan

    return metric


def _macro_f1(y: npt.NDArray[Any], p: npt.NDArray[Any]) -> float:
    return (_f1(0)(y, p) + _f1(1)(y, p)) / 2


def _with_interval(
    metric: Metric, y: npt.NDArray[Any], p: npt.NDArray[Any], resamples: int, seed: int
) -> dict[str, float | None]:
    """Return the metric and its bootstrap interval, or the estimate alone when undefined.

    A class too rare in the test set makes the metric undefined in many resamples; the
    interval is then left out (``low``/``high`` None) rather than computed on the lucky ones.
    """
    try:
        return bootstrap_metric(metric, y, p, n_resamples=resamples, seed=seed).to_dict()
    except ValueError:
        return {"estimate": _number(metric(y, p)), "low": None, "high": None}


def class_metrics(
    y: npt.NDArray[Any], p: npt.NDArray[Any], labels: dict[int, str], resamples: int, seed: int
) -> dict[str, Any]:
    """Return per-class precision, recall and F1 and the macro-F1, each with its interval."""
    per_class = {
        name: {
            "precision": _with_interval(_precision(cls), y, p, resamples, seed),
            "recall": _with_interval(_recall(cls), y, p, resamples, seed),
            "f1": _with_interval(_f1(cls), y, p, resamples, seed),
            "support": int(np.count_nonzero(y == cls)),
        }
        for cls, name in labels.items()
    }
    return {"per_class": per_class, "macro_f1": _with_interval(_macro_f1, y, p, resamples, seed)}


def _subgroup_masks(frame: pd.DataFrame) -> list[tuple[str, str, npt.NDArray[np.bool_]]]:
    length = frame["length"].to_numpy()
    masks = [
        ("length", name, (length >= low) & (length <= high)) for low, high, name in LENGTH_BINS
    ]
    for column, attribute in (("has_url", "URL or e-mail"), ("has_number", "number")):
        values = frame[column].to_numpy(dtype=bool)
        masks.append((attribute, "present", values))
        masks.append((attribute, "absent", ~values))
    return masks


def subgroup_metrics(
    frame: pd.DataFrame, y: npt.NDArray[Any], p: npt.NDArray[Any]
) -> list[dict[str, Any]]:
    """Return spam precision, recall and errors per 10,000 for each subgroup of messages.

    Rates are per 10,000 messages of the subgroup, so groups of different sizes compare.
    Empty subgroups are skipped.
    """
    rows = []
    for attribute, group, mask in _subgroup_masks(frame):
        n = int(mask.sum())
        if n == 0:
            continue
        counts = confusion_counts(y[mask], p[mask])
        rows.append(
            {
                "attribute": attribute,
                "group": group,
                "messages": n,
                "positive_share": (counts.tp + counts.fn) / n,
                "precision": _number(_precision(1)(y[mask], p[mask])),
                "recall": _number(_recall(1)(y[mask], p[mask])),
                "false_positives_per_10k": per_n(counts.fp, n),
                "false_negatives_per_10k": per_n(counts.fn, n),
            }
        )
    return rows


def _worst(
    frame: pd.DataFrame,
    scores: npt.NDArray[Any],
    mask: npt.NDArray[np.bool_],
    top: int,
    *,
    highest: bool,
) -> list[dict[str, Any]]:
    chosen = frame.loc[mask].assign(score=scores[mask])
    chosen = chosen.sort_values("score", ascending=not highest, kind="stable").head(top)
    return [
        {
            "origin": str(row.origin),
            "text": str(row.text)[:_TEXT_LIMIT],
            "score": float(row.score),
        }
        for row in chosen.itertuples()
    ]


@dataclass(frozen=True)
class Evaluation:
    """The test-set results: JSON-ready ``metrics`` and the arrays the figures are drawn from.

    ``threshold_table`` is the Markdown comparison of the default and the chosen threshold
    on the test set, for the threshold decision record.
    """

    metrics: dict[str, Any]
    y_test: npt.NDArray[np.int64]
    test_scores: npt.NDArray[np.float64]
    y_validation: npt.NDArray[np.int64]
    validation_scores: npt.NDArray[np.float64]
    threshold_table: str


def _baselines(
    frame: pd.DataFrame, costs: ErrorCosts, labels: dict[int, str]
) -> dict[str, dict[str, Any]]:
    """Fit each baseline on train, choose its threshold on validation, score it on test."""
    parts = {name: frame[frame["split"] == name] for name in ("train", "validation", "test")}
    y_test = parts["test"]["y"].to_numpy()
    results = {}
    for name, baseline in build_baselines().items():
        baseline.fit(parts["train"]["text"].tolist(), parts["train"]["y"].to_numpy())
        val_scores = positive_scores(baseline, parts["validation"]["text"].tolist())
        threshold = best_threshold(parts["validation"]["y"].to_numpy(), val_scores, costs)
        predicted = (positive_scores(baseline, parts["test"]["text"].tolist()) >= threshold).astype(
            np.int64
        )
        results[name] = _summary(y_test, predicted, threshold, costs, labels)
    return results


def _summary(
    y: npt.NDArray[Any],
    p: npt.NDArray[Any],
    threshold: float,
    costs: ErrorCosts,
    labels: dict[int, str],
) -> dict[str, Any]:
    counts = confusion_counts(y, p)
    return {
        "threshold": threshold,
        "macro_f1": _number(_macro_f1(y, p)),
        f"{labels[1]}_f1": _number(_f1(1)(y, p)),
        f"{labels[1]}_precision": _number(_precision(1)(y, p)),
        f"{labels[1]}_recall": _number(_recall(1)(y, p)),
        "cost_per_10k": per_n(expected_cost(counts, costs), counts.total),
    }


def evaluate(config: Config) -> Evaluation:
    """Score the saved model on the test set and compute every reported number.

    Raises:
        ModelLoadError: no trained model (run ``train`` first).

    """
    with StageBar(["load", "score", "bootstrap", "baselines", "analysis"], "evaluate") as bar:
        bar.start("load")
        model = persistence.load(config.models_dir)
        frame = load_split(config)
        facts = load_facts(config)
        labels = {1: model.positive_label, 0: model.negative_label}
        costs = ErrorCosts(config.costs.false_positive, config.costs.false_negative)
        test = frame[frame["split"] == "test"].reset_index(drop=True)
        validation = frame[frame["split"] == "validation"].reset_index(drop=True)
        bar.start("score")
        y = test["y"].to_numpy()
        scores = positive_scores(model.pipeline, test["text"].tolist())
        y_val = validation["y"].to_numpy()
        val_scores = positive_scores(model.pipeline, validation["text"].tolist())
        predicted = (scores >= model.threshold).astype(np.int64)
        counts = confusion_counts(y, predicted)
        bar.start("bootstrap")
        resamples, seed = config.report.bootstrap_resamples, config.seed
        classes = class_metrics(y, predicted, labels, resamples, seed)
        bar.start("baselines")
        baselines = _baselines(frame, costs, labels)
        default = (scores >= DEFAULT_THRESHOLD).astype(np.int64)
        comparison = {
            "model": _summary(y, predicted, model.threshold, costs, labels),
            "model_at_0.5": _summary(y, default, DEFAULT_THRESHOLD, costs, labels),
            **baselines,
        }
        bar.start("analysis")
        top = config.report.top_errors
        negatives, positives = y == 0, y == 1
        metrics = {
            "data": facts,
            "model": {
                # What was trained, even if config.toml has changed since.
                "kind": model.metadata.get("kind", config.model.kind),
                "threshold": model.threshold,
                "costs": {
                    "false_positive": costs.false_positive,
                    "false_negative": costs.false_negative,
                    "currency": config.costs.currency,
                },
            },
            "test": {
                "messages": int(y.size),
                **classes,
                "average_precision": float(average_precision_score(y, scores)),
                "confusion": {"tp": counts.tp, "fp": counts.fp, "tn": counts.tn, "fn": counts.fn},
            },
            "comparison": comparison,
            "business": business_table(
                y,
                predicted,
                costs,
                positive_name=f"{labels[1]} messages",
                negative_name=f"{labels[0]} messages",
            ),
            "errors": {
                "false_positives": _worst(
                    test, scores, negatives & (predicted == 1), top, highest=True
                ),
                "false_negatives": _worst(
                    test, scores, positives & (predicted == 0), top, highest=False
                ),
            },
            "features": informative_features(model.pipeline, config.report.top_features),
            "subgroups": subgroup_metrics(test, y, predicted),
        }
        table = threshold_markdown(y, scores, costs, threshold=model.threshold)
    return Evaluation(
        metrics=metrics,
        y_test=y,
        test_scores=scores,
        y_validation=y_val,
        validation_scores=val_scores,
        threshold_table=table,
    )
