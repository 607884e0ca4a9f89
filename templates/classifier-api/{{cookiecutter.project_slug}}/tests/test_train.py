import json

import numpy as np
import pandas as pd
import pytest
from conftest import TrainedProject

from {{ cookiecutter.__package }}.costs import (
    ErrorCosts,
    best_threshold,
)
from {{ cookiecutter.__package }}.modelio import (
    META_FILE,
    load_model,
)
from {{ cookiecutter.__package }}.train import (
    BASELINE,
)


def test_the_test_split_is_read_once_by_evaluation_only(trained: TrainedProject) -> None:
    assert trained.reads["train"] == ["train", "validation"]
    assert trained.reads["evaluate"] == ["test"]


def test_every_candidate_is_cross_validated_and_the_best_kept(trained: TrainedProject) -> None:
    meta = json.loads((trained.config.paths.models / META_FILE).read_text(encoding="utf-8"))
    results = meta["cross_validation"]
    assert set(results) == {BASELINE, "logistic_regression", "gradient_boosting"}
    assert results[BASELINE]["roc_auc"]["mean"] == pytest.approx(0.5)
    best = max(results, key=lambda name: results[name]["roc_auc"]["mean"])
    assert meta["model_name"] == best != BASELINE
    assert meta["validation"]["roc_auc"] > 0.7


def test_the_threshold_minimises_cost_on_validation_not_half(trained: TrainedProject) -> None:
    config = trained.config
    meta = load_model(config.paths.models).metadata
    scores = pd.read_parquet(config.paths.processed / "validation_scores.parquet")
    threshold = meta["threshold"]
    assert threshold == best_threshold(scores["label"], scores["score"], config.costs.errors)

    def cost(t: float) -> float:
        flagged = scores["score"] >= t
        fp = int((flagged & (scores["label"] == 0)).sum())
        fn = int((~flagged & (scores["label"] == 1)).sum())
        return fp * config.costs.false_positive + fn * config.costs.false_negative

    # No threshold on a fine grid is cheaper on the validation cases than the chosen one.
    assert all(cost(threshold) <= cost(t) for t in np.linspace(0, 1, 101))
    assert cost(threshold) < cost(0.5)


def test_a_hand_checked_threshold() -> None:
    # Scores 0.1 0.3 0.6 0.8 for labels 0 1 0 1. A miss costs 5, a false alarm 1.
    # t <= 0.1: 2 false alarms = 2; t in (0.1, 0.3]: 1 false alarm = 1;
    # t in (0.3, 0.6]: 1 miss + 1 false alarm = 6; t in (0.6, 0.8]: 1 miss = 5.
    # The cheapest decisions flag the top three: any t in (0.1, 0.3], whose middle is 0.2.
    y = np.array([0, 1, 0, 1])
    scores = np.array([0.1, 0.3, 0.6, 0.8])
    costs = ErrorCosts(false_positive=1, false_negative=5)
    assert best_threshold(y, scores, costs) == pytest.approx(0.2)
    # With the costs swapped, a false alarm is the expensive error: flag only the top case,
    # any t in (0.6, 0.8].
    swapped = ErrorCosts(false_positive=5, false_negative=1)
    assert best_threshold(y, scores, swapped) == pytest.approx(0.7)
