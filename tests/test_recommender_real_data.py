"""The recommender template on real MovieLens 100K, switched over through config.toml alone.

The generated project is pointed at ../shared/datasets/movielens_100k by editing two values
of its config file, exactly as a user would after `make data`; nothing else changes. The
full pipeline then has to show what the template promises: every model clears random, a
personalised model clears popularity, and the trade-off report covers every model and metric.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run_in_project

pytestmark = pytest.mark.slow

MODELS = ("random", "popularity", "item_knn", "ease", "content")
PERSONALISED = ("item_knn", "ease", "content")
K = 10
METRIC_HEADERS = (
    f"NDCG@{K}",
    f"Precision@{K}",
    f"Recall@{K}",
    f"MAP@{K}",
    f"Hit Rate@{K}",
    "Coverage",
    "Novelty",
    "Diversity",
    "Gini",
    "Personalisation",
    "Top-20% share",
    f"Cold-start NDCG@{K}",
    "Train (s)",
    "Batch ms/user",
    "Request ms",
    "Size",
    "Hits per 10,000 slots",
)


@pytest.fixture(scope="module")
def movielens_dir(shared_datasets: Path) -> Path:
    """MovieLens 100K beside the repository (module scope: one pipeline run serves all tests)."""
    folder = shared_datasets / "movielens_100k"
    if not (folder / "u.data").is_file():
        pytest.skip(f"MovieLens 100K not found at {folder} (CI always has ../shared/datasets)")
    return folder


@pytest.fixture(scope="module")
def project(generated: Callable[[str], Path], movielens_dir: Path) -> Path:
    """The generated recommender, switched to MovieLens in config.toml, after `make all`."""
    path = generated("recommender")
    config = path / "config.toml"
    text = config.read_text(encoding="utf-8")
    for old, new in (
        ('source = "file"', 'source = "movielens"'),
        (
            'movielens_path = "data/raw/ml-100k"',
            f'movielens_path = "{movielens_dir.resolve().as_posix()}"',
        ),
    ):
        assert text.count(old) == 1, f"config.toml no longer has exactly one {old!r}"
        text = text.replace(old, new)
    config.write_text(text, encoding="utf-8")
    run_in_project(path, "make", "all", f"PYTHON={sys.executable}")
    return path


@pytest.fixture(scope="module")
def metrics(project: Path) -> dict[str, Any]:
    return json.loads((project / "reports" / "metrics.json").read_text(encoding="utf-8"))


def _ndcg(metrics: dict[str, Any], model: str) -> dict[str, float]:
    return metrics["models"][model]["accuracy"]["ndcg"]


def test_the_pipeline_read_all_of_movielens(metrics: dict[str, Any]) -> None:
    data = metrics["dataset"]

    assert (data["source"], data["users"], data["items"]) == ("movielens", 943, 1682)
    assert data["interactions"] == 100_000
    assert metrics["warm_users"] + metrics["cold_start_users"] == 943


@pytest.mark.parametrize("model", [m for m in MODELS if m != "random"])
def test_every_model_beats_random_on_ndcg(metrics: dict[str, Any], model: str) -> None:
    floor = _ndcg(metrics, "random")

    assert _ndcg(metrics, model)["low"] > floor["high"], (model, _ndcg(metrics, model), floor)


def test_a_personalised_model_beats_popularity(metrics: dict[str, Any]) -> None:
    bar = _ndcg(metrics, "popularity")["high"]
    beating = [m for m in PERSONALISED if _ndcg(metrics, m)["low"] > bar]

    assert beating, {m: _ndcg(metrics, m) for m in (*PERSONALISED, "popularity")}


def test_the_tradeoff_report_lists_every_model_and_metric(project: Path) -> None:
    text = (project / "docs" / "tradeoffs.md").read_text(encoding="utf-8")

    for header in METRIC_HEADERS:
        assert header in text, header
    for model in MODELS:
        # One row in each of accuracy, beyond-accuracy, cold-start and business tables.
        assert text.count(f"| {model} ") >= 4, model
    assert "_Run `make all` to fill this section._" not in text
    assert "is the most accurate" in text


def test_recommend_shows_movielens_titles(project: Path) -> None:
    command = (sys.executable, "-m", "movie_recommender", "recommend", "196", "-k", "5")
    result = run_in_project(project, "env", "PYTHONPATH=src", *command)

    lines = result.stdout.strip().splitlines()
    assert len(lines) == 6
    assert all("(19" in line for line in lines[1:]), result.stdout


def test_the_data_block_names_movielens_its_licence_and_its_categories(project: Path) -> None:
    readme = (project / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- portfolio:data:start -->")[1].split("<!-- portfolio:data:end -->")[0]

    assert "MovieLens 100K (GroupLens" in block
    assert "research use only and no redistribution" in block
    assert "Explicit ratings without a relevance threshold" in block
    # u.genre's 18 categories (its "unknown" is none) plus the decades of release.
    features = re.search(r"([\d,]+) category and decade features", block)
    assert features and int(features.group(1)) > 18
