"""Evaluate the trained model once on the held-out test set, against its baselines.

Everything a reviewer asks of a classifier is computed here: per-class precision, recall and
F1 with bootstrap 95% intervals, their macro and micro averages, the confusion matrix, the
business table at the cost-chosen decision, the baselines under the same decision rule, the
most confident mistakes per confused pair of classes, the most informative features per class,
and the same metrics by subgroup (length, links, numbers). Nothing is written to disk: ``report``
does that.

Every compared policy's test-set predictions are kept in ``Evaluation.predictions``, aligned
with ``y_test``, so a comparison can resample the same cases for both sides.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from sklearn.metrics import average_precision_score

from . import persistence
from .analysis import confused_pairs, length_bins, subgroup_metrics
from .business import per_n
from .config import Config
from .costmatrix import CostMatrix, confusion, error_table, policy_table
from .costs import DEFAULT_THRESHOLD, best_threshold, business_table
from .metrics import class_metrics, f1_of, point_summary
from .models import build_baselines, class_probabilities, informative_features
from .progress import StageBar
from .train import load_facts, load_split

__all__ = ["Evaluation", "evaluate"]


@dataclass(frozen=True)
class Evaluation:
    """The test-set results: JSON-ready ``metrics`` and the arrays the figures are drawn from.

    ``probabilities`` are the model's, one column per class in code order; ``validation_*``
    the same on the validation set (the threshold's cost curve is drawn from them).
    ``predictions`` holds each compared policy's classes on the test set, by name; ``costs``
    is the cost matrix the model decides with.
    """

    metrics: dict[str, Any]
    classes: tuple[str, ...]
    costs: CostMatrix
    test_texts: tuple[str, ...]
    y_test: npt.NDArray[np.int64]
    probabilities: npt.NDArray[np.float64]
    y_validation: npt.NDArray[np.int64]
    validation_probabilities: npt.NDArray[np.float64]
    predictions: dict[str, npt.NDArray[np.int64]]

    @property
    def binary(self) -> bool:
        """Whether the model has two classes and a threshold."""
        return len(self.classes) == 2


def _summary(
    y: npt.NDArray[np.int64],
    predicted: npt.NDArray[np.int64],
    costs: CostMatrix,
    decision: str,
) -> dict[str, Any]:
    k = len(costs.classes)
    row: dict[str, Any] = {
        "decision": decision,
        **point_summary(y, predicted, k),
        "cost_per_10k": per_n(costs.total(y, predicted), y.size),
    }
    if k == 2:
        value = f1_of(1, 2)(y, predicted)
        row["positive_f1"] = None if np.isnan(value) else float(value)
    return row


def _baselines(
    frame: pd.DataFrame, costs: CostMatrix, binary: bool
) -> dict[str, tuple[npt.NDArray[np.int64], str]]:
    """Fit each baseline on train, set its decision on validation, predict the test set."""
    parts = {name: frame[frame["split"] == name] for name in ("train", "validation", "test")}
    k = len(costs.classes)
    results = {}
    for name, baseline in build_baselines().items():
        baseline.fit(parts["train"]["text"].tolist(), parts["train"]["y"].to_numpy())
        test = class_probabilities(baseline, parts["test"]["text"].tolist(), k)
        if binary:
            validation = class_probabilities(baseline, parts["validation"]["text"].tolist(), k)
            threshold = best_threshold(
                parts["validation"]["y"].to_numpy(), validation[:, 1], costs.error_costs()
            )
            predicted = (test[:, 1] >= threshold).astype(np.int64)
            results[name] = (predicted, f"threshold {threshold:.3f}")
        else:
            results[name] = (costs.decide(test), "lowest expected cost")
    return results


def _comparison(
    y: npt.NDArray[np.int64],
    probabilities: npt.NDArray[np.float64],
    model: persistence.TrainedModel,
    frame: pd.DataFrame,
) -> dict[str, tuple[npt.NDArray[np.int64], str]]:
    """Return each policy compared in the report: its test predictions and decision rule."""
    costs = model.costs
    predictions = {"model": (model.decide(probabilities), "")}
    if model.threshold is not None:
        predictions["model"] = (predictions["model"][0], f"threshold {model.threshold:.3f}")
        default = (probabilities[:, 1] >= DEFAULT_THRESHOLD).astype(np.int64)
        predictions["model_at_default"] = (default, f"threshold {DEFAULT_THRESHOLD}")
    else:
        predictions["model"] = (predictions["model"][0], "lowest expected cost")
        if not costs.uniform:
            highest = np.argmax(probabilities, axis=1).astype(np.int64)
            predictions["model_at_default"] = (highest, "highest probability")
    predictions.update(_baselines(frame, costs, model.threshold is not None))
    return predictions


def _business(
    y: npt.NDArray[np.int64], predicted: npt.NDArray[np.int64], costs: CostMatrix
) -> dict[str, Any]:
    if len(costs.classes) == 2:
        negative, positive = costs.classes
        policies = business_table(
            y, predicted, costs.error_costs(), positive_name=positive, negative_name=negative
        )
    else:
        policies = policy_table(y, predicted, costs)
    return {"policies": policies, "errors": error_table(y, predicted, costs)}


def evaluate(config: Config) -> Evaluation:
    """Score the saved model on the test set and compute every reported number.

    Raises:
        ModelLoadError: no trained model (run ``train`` first), or a damaged or untrusted one.

    """
    with StageBar(["load", "score", "bootstrap", "baselines", "analysis"], "evaluate") as bar:
        bar.start("load")
        model = persistence.load(config.models_dir)
        frame = load_split(config)
        facts = load_facts(config)
        classes, costs = model.classes, model.costs
        test = frame[frame["split"] == "test"].reset_index(drop=True)
        validation = frame[frame["split"] == "validation"].reset_index(drop=True)
        bar.start("score")
        y = test["y"].to_numpy()
        probabilities = model.probabilities(test["text"].tolist())
        y_val = validation["y"].to_numpy()
        val_probabilities = model.probabilities(validation["text"].tolist())
        predicted = model.decide(probabilities)
        bar.start("bootstrap")
        resamples, seed = config.report.bootstrap_resamples, config.seed
        scores = class_metrics(y, predicted, classes, resamples=resamples, seed=seed)
        bar.start("baselines")
        compared = _comparison(y, probabilities, model, frame)
        bar.start("analysis")
        test_metrics: dict[str, Any] = {
            "texts": int(y.size),
            **scores,
            "confusion": confusion(y, predicted, len(classes)).tolist(),
        }
        decision: dict[str, Any] = {"rule": "lowest expected cost"}
        if model.threshold is not None:
            test_metrics["average_precision"] = float(
                average_precision_score(y, probabilities[:, 1])
            )
            decision = {
                "rule": "threshold",
                "threshold": model.threshold,
                "positive": classes[1],
            }
        metrics = {
            "data": facts,
            "classes": list(classes),
            "model": {
                # What was trained, even if config.toml has changed since.
                "kind": model.metadata.get("kind", config.model.kind),
                "decision": decision,
                "costs": costs.to_dict(),
            },
            "test": test_metrics,
            "comparison": {
                name: _summary(y, values, costs, rule) for name, (values, rule) in compared.items()
            },
            "business": _business(y, predicted, costs),
            "errors": confused_pairs(
                test,
                y,
                predicted,
                probabilities,
                classes,
                pairs=config.report.confused_pairs,
                examples=config.report.top_errors,
            ),
            "features": informative_features(model.pipeline, classes, config.report.top_features),
            "subgroups": subgroup_metrics(
                test, y, predicted, costs, length_bins(frame["length"].to_numpy())
            ),
        }
    return Evaluation(
        metrics=metrics,
        classes=classes,
        costs=costs,
        test_texts=tuple(test["text"].tolist()),
        y_test=y,
        probabilities=probabilities,
        y_validation=y_val,
        validation_probabilities=val_probabilities,
        predictions={name: values for name, (values, _) in compared.items()},
    )
