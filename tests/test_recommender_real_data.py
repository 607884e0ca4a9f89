"""The recommender template on real MovieLens 100K, switched over through config.toml alone.

The generated project is pointed at ../shared/datasets/movielens_100k by editing two values
of its config file, exactly as a user would after `make data`; nothing else changes. The
full pipeline then has to show what the template promises on the default global time split
(every model ahead of random on the same users, cold-start targets stated as more popular
than known users', nothing learned from the future) and, with `split.strategy = "per_user"`,
what that split is (a personalised model ahead of popularity over many more users, and the
share of training interactions from the judged users' future stated). On both, no generated
sentence contradicts a number of the same report.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import generate, run_in_project
from tests.test_recommender_claims import assert_claims_agree

pytestmark = pytest.mark.slow

MODELS = ("random", "popularity", "item_knn", "ease", "als", "content")
PERSONALISED = ("item_knn", "ease", "als", "content")
K = 10
METRIC_HEADERS = (
    f"NDCG@{K}",
    f"Precision@{K}",
    f"Recall@{K}",
    f"MAP@{K}",
    f"Hit rate@{K}",
    "Long-tail share",
    "Novelty, bits",
    "Diversity",
    "Coverage",
    "Gini",
    "Personalisation",
    f"Cold-start NDCG@{K}",
    "Train, ms",
    "µs per user (batch)",
    "Request, ms",
    "Size",
    "Hits per 10,000 slots",
    f"Candidates: validation NDCG@{K}",
)


@pytest.fixture(scope="module")
def movielens_dir(shared_datasets: Path) -> Path:
    """MovieLens 100K beside the repository (module scope: one pipeline run serves all tests)."""
    folder = shared_datasets / "movielens_100k"
    if not (folder / "u.data").is_file():
        pytest.skip(f"MovieLens 100K not found at {folder} (CI always has ../shared/datasets)")
    return folder


def _switch_to_movielens(project: Path, movielens_dir: Path, *extra: tuple[str, str]) -> None:
    config = project / "config.toml"
    text = config.read_text(encoding="utf-8")
    for old, new in (
        ('source = "file"', 'source = "movielens"'),
        (
            'movielens_path = "data/raw/ml-100k"',
            f'movielens_path = "{movielens_dir.resolve().as_posix()}"',
        ),
        *extra,
    ):
        assert text.count(old) == 1, f"config.toml no longer has exactly one {old!r}"
        text = text.replace(old, new)
    config.write_text(text, encoding="utf-8")
    run_in_project(project, "make", "all", f"PYTHON={sys.executable}")


@pytest.fixture(scope="module")
def project(generated: Callable[[str], Path], movielens_dir: Path) -> Path:
    """The generated recommender, switched to MovieLens in config.toml, after `make all`."""
    path = generated("recommender")
    _switch_to_movielens(path, movielens_dir)
    return path


@pytest.fixture(scope="module")
def per_user(tmp_path_factory: pytest.TempPathFactory, movielens_dir: Path) -> Path:
    """The same, with each user's own latest interactions held out instead."""
    path = generate("recommender", tmp_path_factory.mktemp("per-user"), init_git=False).path
    _switch_to_movielens(path, movielens_dir, ('strategy = "global"', 'strategy = "per_user"'))
    return path


def _metrics(project: Path) -> dict[str, Any]:
    return json.loads((project / "reports" / "metrics.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def metrics(project: Path) -> dict[str, Any]:
    return _metrics(project)


def _paired(metrics: dict[str, Any], first: str, second: str) -> dict[str, float]:
    return metrics["comparisons"]["warm"]["ndcg"][first][second]


def _summary(project: Path) -> str:
    readme = (project / "README.md").read_text(encoding="utf-8")
    return readme.split("<!-- portfolio:summary:start -->")[1].split("<!-- portfolio:summary:end")[
        0
    ]


def test_the_pipeline_read_all_of_movielens(metrics: dict[str, Any]) -> None:
    data = metrics["dataset"]

    assert (data["source"], data["users"], data["items"]) == ("movielens", 943, 1682)
    assert data["interactions"] == sum(data["periods"].values()) == 100_000
    assert data["periods"]["test"] == 20_000 and data["periods"]["validation"] == 10_000


@pytest.mark.parametrize("model", [m for m in MODELS if m != "random"])
def test_every_model_is_ahead_of_random_on_the_same_users(
    metrics: dict[str, Any], model: str
) -> None:
    assert _paired(metrics, model, "random")["low"] > 0, _paired(metrics, model, "random")


def test_the_global_split_learns_nothing_from_the_future(metrics: dict[str, Any]) -> None:
    phases = metrics["dataset"]["phases"]

    assert phases["test"]["future_share"] == phases["validation"]["future_share"] == 0.0
    assert metrics["warm_users"] == phases["test"]["warm_users"] > 50


def test_new_users_targets_are_stated_as_more_popular_than_known_users(
    project: Path, metrics: dict[str, Any]
) -> None:
    difference = metrics["targets"]["difference"]

    # MovieLens' newcomers rate the famous films first: their targets are easier for any
    # popular-leaning model, and the report must say so rather than compare the two NDCGs.
    assert difference["low"] > 0, difference
    assert "Their targets are more popular than those of known users by" in _summary(project)


def test_the_per_user_split_says_how_much_of_the_future_it_learns_from(per_user: Path) -> None:
    metrics = _metrics(per_user)
    share = metrics["dataset"]["phases"]["test"]["future_share"]
    readme = (per_user / "README.md").read_text(encoding="utf-8")

    assert share > 0.3, share
    assert f"{share:.1%} of the training interactions happened after their first test one" in (
        readme
    )


def test_a_personalised_model_is_ahead_of_popularity_per_user(per_user: Path) -> None:
    metrics = _metrics(per_user)
    ahead = {m: _paired(metrics, m, "popularity") for m in PERSONALISED}

    assert any(d["low"] > 0 for d in ahead.values()), ahead
    assert metrics["warm_users"] > 800


def test_no_sentence_contradicts_the_numbers(project: Path, per_user: Path) -> None:
    assert assert_claims_agree(project) >= 10
    assert assert_claims_agree(per_user) >= 10


def test_the_tradeoff_report_lists_every_model_and_metric(project: Path) -> None:
    text = (project / "docs" / "tradeoffs.md").read_text(encoding="utf-8")

    for header in METRIC_HEADERS:
        assert header in text, header
    for model in MODELS:
        # One row in each of the validation, accuracy, list, cost, cold-start and business tables.
        assert text.count(f"| {model} ") >= 6, model
    assert "_Run `make all` to fill this section._" not in text
    assert "serves known users: chosen on the validation period" in text


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
