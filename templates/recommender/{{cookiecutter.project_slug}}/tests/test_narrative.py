"""The report's sentences follow paired intervals: cases built so that the truth is known.

Each case takes the pipeline's real metrics and replaces the known users' per-user NDCG and
precision of some models with constructed values (identical, clearly apart, a baseline in
front), recomputing intervals and paired differences with the evaluate stage's own code.
"""

from __future__ import annotations

import copy
import re
from typing import Any

import numpy as np
import pytest

from {{ cookiecutter.__package }}.config import Names
from {{ cookiecutter.__package }}.evaluate import COMPARED
from {{ cookiecutter.__package }}.narrative import headline, summary
from {{ cookiecutter.__package }}.scoring import Resampling, compare_all

from tests.conftest import PipelineRun

RESAMPLING = Resampling(n_resamples=400, confidence=0.95, seed=0)
INTERVAL = r"\[(-?[\d.,]+), (-?[\d.,]+)\]"


def _with_scores(metrics: dict[str, Any], ndcg: dict[str, np.ndarray]) -> dict[str, Any]:
    """The metrics with these models' per-user NDCG (and precision, set alike) on known users."""
    changed = copy.deepcopy(metrics)
    n_users = len(next(iter(ndcg.values())))
    rng = np.random.default_rng(1)
    values = {name: ndcg.get(name, rng.uniform(0.0, 0.05, n_users)) for name in changed["models"]}
    for name, per_user in values.items():
        for metric in ("ndcg", "precision"):
            changed["models"][name]["accuracy"][metric] = RESAMPLING.interval(per_user)
    warm = changed["comparisons"]["warm"]
    for metric in ("ndcg", "precision"):
        warm[metric] = compare_all(values, RESAMPLING)
    changed["warm_users"] = n_users
    return changed


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=\.)\s+(?=[A-Z*0-9])", text) if s]


def _base(n: int = 300) -> np.ndarray:
    return np.random.default_rng(7).beta(2, 5, n)


@pytest.fixture
def metrics(pipeline_run: PipelineRun) -> dict[str, Any]:
    served = copy.deepcopy(pipeline_run.metrics)
    served["served"]["model"] = "ease"
    return served


@pytest.fixture
def names(pipeline_run: PipelineRun) -> Names:
    return pipeline_run.config.names


def test_the_comparisons_cover_every_pair_of_models_in_both_orders(
    pipeline_run: PipelineRun,
) -> None:
    comparisons = pipeline_run.metrics["comparisons"]
    models = list(pipeline_run.metrics["models"])

    for group, compared in COMPARED.items():
        for metric in compared:
            pairs = comparisons[group][metric]
            assert set(pairs) == set(models), (group, metric)
            for first in models:
                for second in set(models) - {first}:
                    there, back = pairs[first][second], pairs[second][first]
                    assert there["estimate"] == pytest.approx(-back["estimate"])
                    assert there["low"] == pytest.approx(-back["high"])


def test_two_identical_models_read_as_indistinguishable(
    metrics: dict[str, Any], names: Names
) -> None:
    same = _base()
    constructed = _with_scores(metrics, {"ease": same, "item_knn": same, "popularity": same})

    text = summary(constructed, names)

    sentence = next(s for s in _sentences(text) if "the best baseline **popularity**" in s)
    assert "cannot separate it from the best baseline **popularity** (0.000 [0.000, 0.000]" in (
        sentence
    )
    assert "the two are indistinguishable on these" in sentence
    assert "ahead of the best baseline" not in text


def test_a_clearly_better_model_reads_as_ahead_with_its_paired_interval(
    metrics: dict[str, Any], names: Names
) -> None:
    base = _base()
    noise = np.random.default_rng(3).normal(0, 0.01, base.size)
    constructed = _with_scores(metrics, {"ease": base + 0.1 + noise, "popularity": base})

    item = headline(constructed, names, "x.png", "caption")["items"][0]

    assert item["conclusive"] is True and item["low"] > 0
    assert re.fullmatch(
        rf"ease is ahead of popularity by 0\.1\d\d {INTERVAL} NDCG@\d+\.",
        item["text"],
    ), item["text"]


def test_a_baseline_that_beats_the_model_is_named_the_winner(
    metrics: dict[str, Any], names: Names
) -> None:
    base = _base()
    constructed = _with_scores(metrics, {"ease": base, "popularity": base + 0.05})

    items = headline(constructed, names, "x.png", "caption")["items"]
    text = summary(constructed, names)

    assert items[0]["text"].startswith("ease is behind popularity by 0.050 [")
    assert items[0]["estimate"] < 0 and items[0]["conclusive"] is True
    assert "it is behind the best baseline **popularity** by 0.050" in text
    assert "The highest test NDCG@" in text and "is **popularity**'s" in text
    assert "**popularity** is ahead of **ease** by 0.050" in text


def test_a_small_difference_on_few_users_says_how_many_would_settle_it(
    metrics: dict[str, Any], names: Names
) -> None:
    base = _base(40)
    noise = np.random.default_rng(4).normal(0, 0.2, base.size)
    constructed = _with_scores(metrics, {"ease": base + 0.01 + noise, "popularity": base})

    text = headline(constructed, names, "x.png", "caption")["items"][0]["text"]

    settle = re.search(r"about ([\d,]+) \w+ would settle it if the difference held", text)
    assert text.startswith("These ") and "cannot separate ease from popularity" in text
    assert settle and int(settle.group(1).replace(",", "")) > 40


def test_the_summary_never_claims_a_model_is_ahead_of_random_when_none_is(
    metrics: dict[str, Any], names: Names
) -> None:
    floor = _base()
    constructed = _with_scores(metrics, dict.fromkeys(metrics["models"], floor))

    text = summary(constructed, names)

    others = len(metrics["models"]) - 1
    assert f"0 of the {others} models other than random are ahead of random" in text
    assert "this data may hold no signal these models can use" in text


def test_no_sentence_compares_marginal_intervals(pipeline_run: PipelineRun) -> None:
    root = pipeline_run.config.root
    for name in ("README.md", "docs/tradeoffs.md", "MODEL_CARD.md"):
        text = (root / name).read_text(encoding="utf-8")
        assert not re.search(r"intervals? (?:\w+ )?overlap|overlapping intervals", text, re.I), name


def test_the_paired_interval_is_narrower_than_the_marginal_ones(
    pipeline_run: PipelineRun,
) -> None:
    metrics = pipeline_run.metrics
    ease, knn = (metrics["models"][n]["accuracy"]["ndcg"] for n in ("ease", "item_knn"))
    paired = metrics["comparisons"]["warm"]["ndcg"]["ease"]["item_knn"]

    def width(interval: dict[str, float]) -> float:
        return interval["high"] - interval["low"]

    # Two models on the same users share most of their luck: their difference varies less.
    assert width(paired) < min(width(ease), width(knn))
