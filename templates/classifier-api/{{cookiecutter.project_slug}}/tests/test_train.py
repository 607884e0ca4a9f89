import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import TrainedProject, write_config

from {{ cookiecutter.__package }}.config import (
    load_config,
)
from {{ cookiecutter.__package }}.costs import (
    ErrorCosts,
    best_threshold,
)
from {{ cookiecutter.__package }}.data import (
    FeatureSchema,
)
from {{ cookiecutter.__package }}.modelio import (
    META_FILE,
    load_model,
)
from {{ cookiecutter.__package }}.report import (
    FIGURES,
    build_blocks,
)
from {{ cookiecutter.__package }}.train import (
    BASELINE,
    selection_sample,
    settle_on_validation,
    validation_resamples,
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


def _loans(rows: int, seed: int = 0) -> tuple[pd.DataFrame, pd.Series]:
    rng = np.random.default_rng(seed)
    x = pd.DataFrame({"income": rng.normal(size=rows), "term": rng.choice(["36", "60"], rows)})
    return x, pd.Series((rng.random(rows) < 0.2).astype(int), name="defaulted")


def test_selection_cross_validates_a_seeded_stratified_sample_above_the_limit(
    tmp_path: Path,
) -> None:
    config = load_config(write_config(tmp_path, model__selection_rows=1000))
    x, y = _loans(5000)
    x_cv, y_cv, sample = selection_sample(x, y, config)
    assert len(x_cv) == len(y_cv) == 1000
    assert x_cv.index.equals(y_cv.index)
    assert y_cv.mean() == pytest.approx(y.mean(), abs=0.002)
    again, _, _ = selection_sample(x, y, config)
    assert again.index.equals(x_cv.index)
    assert sample == {
        "rows": 1000,
        "of": 5000,
        "sampled": True,
        "seed": config.random_seed,
        "text": sample["text"],
    }
    assert "sample of 1,000 of the 5,000 training rows" in sample["text"]
    assert "refitted on all training rows" in sample["text"]


@pytest.mark.parametrize("limit", [None, 5000])
def test_selection_uses_every_row_at_or_below_the_limit(tmp_path: Path, limit: int | None) -> None:
    config = load_config(write_config(tmp_path, model__selection_rows=limit))
    x, y = _loans(5000)
    x_cv, y_cv, sample = selection_sample(x, y, config)
    assert x_cv is x and y_cv is y
    assert sample["sampled"] is False and sample["text"] == ""


def test_the_report_says_when_selection_sampled(trained: TrainedProject) -> None:
    config = trained.config
    m = json.loads((config.paths.reports / "metrics.json").read_text(encoding="utf-8"))
    schema = FeatureSchema.from_dict(load_model(config.paths.models).metadata["schema"])
    figures = {key: config.paths.figures / f"{key}.png" for key in FIGURES}

    def models_block(values: dict[str, object]) -> str:
        return build_blocks(values, schema, figures, trained.root)["README.md"]["models"]

    assert m["selection_sample"]["sampled"] is False
    sampled = {**m["selection_sample"], "sampled": True, "text": "Sampled, seed 42."}
    assert "is kept. Sampled, seed 42." in models_block({**m, "selection_sample": sampled})
    assert "Sampled" not in models_block(m)


def _validation_scores(rows: int = 4000) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Labels and three candidates' scores: ``sharp`` clearly ahead, ``twin`` a near copy of
    ``linear`` that no interval can tell apart from it."""
    rng = np.random.default_rng(7)
    y = (rng.random(rows) < 0.2).astype(int)
    linear = y + rng.normal(scale=1.5, size=rows)
    return y, {
        BASELINE: np.full(rows, 0.2),
        "linear": linear,
        "twin": linear + rng.normal(scale=0.01, size=rows),
        "sharp": y + rng.normal(scale=0.5, size=rows),
    }


def test_a_clear_validation_lead_overrules_a_sampled_selection(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path))
    y, scores = _validation_scores()
    resampled = validation_resamples(scores, y, config)
    kept, text = settle_on_validation("linear", scores, y, resampled, config, sampled=True)
    assert kept == "sharp"
    assert text.startswith("Refitted on every training row, sharp ranked ahead of linear, the ")
    assert "so sharp is kept" in text


def test_an_unclear_or_unsampled_validation_difference_keeps_the_cross_validated_choice(
    tmp_path: Path,
) -> None:
    config = load_config(write_config(tmp_path))
    y, scores = _validation_scores()
    near = {name: scores[name] for name in (BASELINE, "linear", "twin")}
    resampled = validation_resamples(near, y, config)
    assert settle_on_validation("linear", near, y, resampled, config, sampled=True) == (
        "linear",
        "",
    )
    resampled = validation_resamples(scores, y, config)
    assert settle_on_validation("linear", scores, y, resampled, config, sampled=False) == (
        "linear",
        "",
    )


def test_the_report_says_when_validation_overruled_the_sample(trained: TrainedProject) -> None:
    config = trained.config
    m = json.loads((config.paths.reports / "metrics.json").read_text(encoding="utf-8"))
    schema = FeatureSchema.from_dict(load_model(config.paths.models).metadata["schema"])
    figures = {key: config.paths.figures / f"{key}.png" for key in FIGURES}
    assert m["selection"] == {
        "cross_validated": m["model"]["model_name"],
        "kept": m["model"]["model_name"],
        "text": "",
    }
    settled = {**m, "selection": {**m["selection"], "text": "Refitted, it was ahead."}}
    blocks = build_blocks(settled, schema, figures, trained.root)["README.md"]
    assert "is the cross-validated choice. Refitted, it was ahead." in blocks["models"]
    assert "chosen by the paired validation comparison of roc_auc" in blocks["results"]
    plain = build_blocks(m, schema, figures, trained.root)["README.md"]
    assert "is kept." in plain["models"] and "Refitted" not in plain["models"]
    assert "chosen by cross-validated roc_auc" in plain["results"]
