"""Evaluate the trained model once on the held-out test set, against every baseline.

Everything a reviewer asks of a classifier is computed here: per-class precision, recall and
F1, the Brier score, ROC-AUC and average precision, each with a bootstrap 95% interval; the
calibration before and after; the confusion matrix; the model against every baseline and
against its own default decision, each a paired comparison of per-text costs on the same
resampled test texts; with two classes the threshold's stability and its sensitivity to the
prices; the most confident mistakes per confused pair of classes, the most informative
features per class, and the subgroups (length, links, numbers) with the gap of each to the
rest of the test set. Nothing is written to disk here: ``report`` writes the documents, and
``saved_evaluation`` keeps what ``make evaluate`` computed for ``make report``.

The test-set probabilities (before and after recalibration) and every compared policy's
classes stay in ``Evaluation``, aligned with ``y_test``, for the figures and for anything that
must recompute a number of the report (the site's explorer).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from sklearn.pipeline import Pipeline

from . import persistence
from .analysis import confused_pairs, fairness_differences, length_bins, subgroup_metrics
from .calibrator import Calibrator
from .claims import Wording, compare
from .comparisons import (
    Policy,
    Words,
    class_comparison,
    compare_policies,
    cost_sensitivity,
    threshold_stability,
)
from .config import Config
from .costmatrix import CostMatrix, confusion, error_table
from .costs import DEFAULT_THRESHOLD, best_threshold
from .formats import brier, threshold
from .headline import headline
from .metrics import brier_terms, class_metrics, f1_of, point_summary, probability_metrics
from .models import build_baselines, class_probabilities, informative_features
from .progress import StageBar
from .train import load_facts, load_split, load_training
from .uncertainty import paired_means

__all__ = ["Evaluation", "evaluate"]


@dataclass(frozen=True)
class Evaluation:
    """The test-set results: JSON-ready ``metrics`` and the arrays the figures are drawn from.

    ``probabilities`` are the model's (recalibrated when the calibration was kept), one column
    per class in code order; ``raw_probabilities`` the pipeline's own; ``recalibrated`` those
    recalibrated by the validation set's fit, applied or not (None when none could be fitted);
    ``validation_*`` the model's on the validation set (the threshold's cost curve is drawn
    from them). ``predictions`` holds each compared policy's classes on the test set, by
    policy key, the model's first. ``pipeline`` is the model that was scored, for what must
    look inside it (the features behind each mistake on the site).
    """

    metrics: dict[str, Any]
    classes: tuple[str, ...]
    costs: CostMatrix
    test_texts: tuple[str, ...]
    test_origins: tuple[str, ...]
    y_test: npt.NDArray[np.int64]
    probabilities: npt.NDArray[np.float64]
    raw_probabilities: npt.NDArray[np.float64]
    recalibrated: npt.NDArray[np.float64] | None
    y_validation: npt.NDArray[np.int64]
    validation_probabilities: npt.NDArray[np.float64]
    predictions: dict[str, npt.NDArray[np.int64]]
    pipeline: Pipeline

    @property
    def binary(self) -> bool:
        """Whether the model has two classes and a threshold."""
        return len(self.classes) == 2

    def misclassified(self) -> list[dict[str, Any]]:
        """Return every test text the model got wrong, surest mistakes first.

        Each record: ``origin``, ``text``, ``true``, ``given`` and ``score`` (the probability
        the model gave the class it chose).
        """
        given = self.predictions["model"]
        wrong = np.flatnonzero(given != self.y_test)
        scores = self.probabilities[wrong, given[wrong]]
        order = wrong[np.argsort(-scores, kind="stable")]
        return [
            {
                "origin": self.test_origins[i],
                "text": self.test_texts[i],
                "true": self.classes[int(self.y_test[i])],
                "given": self.classes[int(given[i])],
                "score": float(self.probabilities[i, given[i]]),
            }
            for i in order
        ]


def _baselines(frame: pd.DataFrame, costs: CostMatrix, config: Config) -> list[Policy]:
    """Fit each learnt baseline on train, set its decision on validation, predict the test set."""
    parts = {name: frame[frame["split"] == name] for name in ("train", "validation", "test")}
    k = len(costs.classes)
    item = config.dataset.item
    fitted = build_baselines()
    for baseline in fitted.values():
        baseline.fit(parts["train"]["text"].tolist(), parts["train"]["y"].to_numpy())
    keywords = fitted["keywords"]
    test = class_probabilities(keywords, parts["test"]["text"].tolist(), k)
    n = len(parts["test"])
    if k == 2:
        validation = class_probabilities(keywords, parts["validation"]["text"].tolist(), k)
        cut = best_threshold(
            parts["validation"]["y"].to_numpy(), validation[:, 1], costs.error_costs()
        )
        negative, positive = costs.classes
        return [
            Policy(
                "keywords",
                "Keyword rule (baseline)",
                "the keyword rule",
                f"threshold {threshold(cut)}",
                (test[:, 1] >= cut).astype(np.int64),
                baseline=True,
            ),
            Policy(
                "act_on_no_one",
                f"Act on no {item}: all treated as {negative}",
                f"acting on no {item}",
                "no model",
                np.zeros(n, dtype=np.int64),
                baseline=True,
            ),
            Policy(
                "act_on_everyone",
                f"Act on every {item}: all treated as {positive}",
                f"acting on every {item}",
                "no model",
                np.ones(n, dtype=np.int64),
                baseline=True,
            ),
        ]
    majority = costs.decide(
        class_probabilities(fitted["majority"], parts["test"]["text"].tolist(), k)
    )
    constant = costs.classes[int(majority[0])]
    return [
        Policy(
            "keywords",
            "Keyword rule (baseline)",
            "the keyword rule",
            "lowest expected cost",
            costs.decide(test),
            baseline=True,
        ),
        Policy(
            "majority",
            f"One class for all: {constant} (cheapest at the training shares)",
            f"giving every {item} the class {constant}",
            "no model",
            majority,
            baseline=True,
        ),
    ]


def _model_policies(
    model: persistence.TrainedModel, probabilities: npt.NDArray[np.float64], kind: str
) -> list[Policy]:
    """The model's decision and, where it is another rule, its default: 0.5 or the most probable.

    A threshold chosen at 0.5 itself, or a cost matrix where every error costs the same, is
    the default rule: there is nothing to compare then.
    """
    predicted = model.decide(probabilities)
    if model.threshold is not None:
        chosen = threshold(model.threshold)
        policies = [
            Policy(
                "model",
                f"Model ({kind})",
                f"the chosen threshold {chosen}",
                f"threshold {chosen}",
                predicted,
                baseline=False,
            )
        ]
        if model.threshold == DEFAULT_THRESHOLD:
            return policies
        return [
            *policies,
            Policy(
                "model_at_default",
                f"Model at the default threshold {threshold(DEFAULT_THRESHOLD)}",
                f"the default threshold {threshold(DEFAULT_THRESHOLD)}",
                f"threshold {threshold(DEFAULT_THRESHOLD)}",
                (probabilities[:, 1] >= DEFAULT_THRESHOLD).astype(np.int64),
                baseline=False,
            ),
        ]
    policies = [
        Policy(
            "model",
            f"Model ({kind})",
            "the class of lowest expected cost",
            "lowest expected cost",
            predicted,
            baseline=False,
        )
    ]
    if not model.costs.uniform:
        policies.append(
            Policy(
                "model_at_default",
                "Model, most probable class",
                "the most probable class",
                "highest probability",
                np.argmax(probabilities, axis=1).astype(np.int64),
                baseline=False,
            )
        )
    return policies


def _calibration(
    y: npt.NDArray[np.int64],
    raw: npt.NDArray[np.float64],
    recalibrated: npt.NDArray[np.float64] | None,
    training: dict[str, Any],
    items: str,
    *,
    resamples: int,
    seed: int,
) -> dict[str, Any]:
    """The Brier score before and after recalibration on the test set, paired, in words.

    Reported whether or not the model applies the recalibration, so a reader sees what the
    validation set's decision meant on texts it never saw.
    """
    choice = training["calibration"]
    result: dict[str, Any] = {
        "applied": choice["applied"],
        "reason": choice["reason"],
        "validation": choice["validation"],
    }
    if recalibrated is None:
        return result
    comparison = paired_means(
        brier_terms(y, raw), brier_terms(y, recalibrated), n_resamples=resamples, seed=seed
    )
    result["test"] = comparison.to_dict()
    result["sentence"] = compare(
        comparison.difference,
        Wording(
            ahead="On the test set, recalibration lowers the Brier score by {value} {interval}.",
            behind="On the test set, recalibration raises the Brier score by {value} {interval}.",
            unclear=(
                "This test set cannot show that recalibration changes the Brier score "
                "({estimate} {interval} lower after it; {settle})."
            ),
        ),
        value=brier,
        units=f"test {items}",
    )
    return result


def _comparison_rows(
    y: npt.NDArray[np.int64], policies: list[Policy], result: dict[str, Any], k: int
) -> None:
    """Add each policy's macro-F1, micro-F1 (and positive-class F1) to its row, in place."""
    for policy, row in zip(policies, result["policies"], strict=True):
        row.update(point_summary(y, policy.predicted, k))
        if k == 2:
            value = f1_of(1, 2)(y, policy.predicted)
            row["positive_f1"] = None if np.isnan(value) else float(value)


def evaluate(config: Config) -> Evaluation:
    """Score the saved model on the test set and compute every reported number.

    Raises:
        ModelLoadError: no trained model (run ``train`` first), or a damaged or untrusted one.

    """
    stages = ["load", "score", "bootstrap", "baselines", "analysis"]
    with StageBar(stages, "evaluate") as bar:
        bar.start("load")
        model = persistence.load(config.models_dir)
        frame = load_split(config)
        facts, training = load_facts(config), load_training(config)
        classes, costs = model.classes, model.costs
        k = len(classes)
        test = frame[frame["split"] == "test"].reset_index(drop=True)
        validation = frame[frame["split"] == "validation"].reset_index(drop=True)
        bar.start("score")
        y = test["y"].to_numpy()
        raw = model.raw_probabilities(test["text"].tolist())
        probabilities = model.calibrate(raw)
        candidate = training["calibration"]["candidate"]
        recalibrated = None if candidate is None else Calibrator.from_dict(candidate).apply(raw)
        y_val = validation["y"].to_numpy()
        val_probabilities = model.probabilities(validation["text"].tolist())
        predicted = model.decide(probabilities)
        bar.start("bootstrap")
        resamples = config.report.resamples_for(len(test))
        options = {"resamples": resamples, "seed": config.seed}
        scores = class_metrics(y, predicted, classes, **options)
        calibration = _calibration(y, raw, recalibrated, training, config.dataset.items, **options)
        bar.start("baselines")
        kind = model.metadata.get("kind", config.model.kind)
        policies = [*_model_policies(model, probabilities, kind), *_baselines(frame, costs, config)]
        words = Words(costs.currency, config.dataset.item, config.dataset.items)
        comparison = compare_policies(y, policies, costs, words, **options)
        _comparison_rows(y, policies, comparison, k)
        by_key = {policy.key: policy for policy in policies}
        best = by_key[comparison["best_baseline"]]
        bar.start("analysis")
        test_metrics: dict[str, Any] = {
            "texts": int(y.size),
            "bootstrap": {
                "configured": config.report.bootstrap_resamples,
                "resamples": resamples,
                "max_draws": config.report.bootstrap_max_draws,
            },
            **scores,
            "probabilities": probability_metrics(y, probabilities, **options),
            "calibration": calibration,
            "confusion": confusion(y, predicted, k).tolist(),
            "per_class_against_best_baseline": class_comparison(
                y, predicted, best, classes, **options
            ),
        }
        decision: dict[str, Any] = {"rule": "lowest expected cost"}
        if model.threshold is not None:
            prices = costs.error_costs()
            decision = {
                "rule": "threshold",
                "threshold": model.threshold,
                "positive": classes[1],
                "stability": threshold_stability(
                    y_val, val_probabilities[:, 1], y, probabilities[:, 1], prices, **options
                ),
                "sensitivity": cost_sensitivity(
                    y_val, val_probabilities[:, 1], y, probabilities[:, 1], prices, model.threshold
                ),
            }
        metrics: dict[str, Any] = {
            "data": facts,
            "classes": list(classes),
            "model": {
                # What was trained, even if config.toml has changed since.
                "kind": kind,
                "C": model.metadata.get("C"),
                "tuning": training["tuning"],
                "decision": decision,
                "costs": costs.to_dict(),
            },
            "test": test_metrics,
            "comparison": comparison,
            "business": {"errors": error_table(y, predicted, costs)},
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
                test,
                y,
                predicted,
                costs,
                length_bins(frame["length"].to_numpy()),
                min_size=config.report.min_group_size,
                items=config.dataset.items,
                **options,
            ),
            "fairness": fairness_differences(
                test,
                y,
                predicted,
                length_bins(frame["length"].to_numpy()),
                min_size=config.report.min_group_size,
                items=config.dataset.items,
                **options,
            )
            if len(classes) == 2
            else [],
        }
        metrics["headline"] = headline(
            comparison,
            y,
            predicted,
            costs,
            items=config.dataset.items,
            action=config.labels.action,
            **options,
        )
    return Evaluation(
        metrics=metrics,
        classes=classes,
        costs=costs,
        test_texts=tuple(test["text"].tolist()),
        test_origins=tuple(str(origin) for origin in test["origin"].tolist()),
        y_test=y,
        probabilities=probabilities,
        raw_probabilities=raw,
        recalibrated=recalibrated,
        y_validation=y_val,
        validation_probabilities=val_probabilities,
        predictions={policy.key: policy.predicted for policy in policies},
        pipeline=model.pipeline,
    )
