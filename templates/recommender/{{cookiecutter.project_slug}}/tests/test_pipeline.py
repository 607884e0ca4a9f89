"""The whole pipeline on a small sample: metrics, the report rewrite, and recommend."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pandas as pd
import pytest

from {{ cookiecutter.__package }}.__main__ import main
from {{ cookiecutter.__package }}.charts import FIGURES
from {{ cookiecutter.__package }}.config import MODEL_NAMES, load_config
from {{ cookiecutter.__package }}.markers import find_blocks, replace_block
from {{ cookiecutter.__package }}.metrics import ACCURACY_METRICS
from {{ cookiecutter.__package }}.models import ease_bytes
from {{ cookiecutter.__package }}.provenance import PROVENANCE_FILE, stale_inputs
from {{ cookiecutter.__package }}.recommend import recommend_for
from {{ cookiecutter.__package }}.report import DOCUMENT_BLOCKS, render_blocks, report
from {{ cookiecutter.__package }}.site import SITE_DATA, build_site
from {{ cookiecutter.__package }}.tuning import served_models

from tests.conftest import AUTHOR_TEXT, DELETE, PipelineRun, run_pipeline, write_config

BEYOND = (
    "coverage",
    "gini",
    "personalisation",
    "long_tail",
    "novelty",
    "diversity",
    "batch_microseconds_per_user",
    "single_request_ms",
)
PLACEHOLDER = "_Run `make all` to fill this section._"


def test_metrics_cover_every_model_and_metric(pipeline_run: PipelineRun) -> None:
    models = pipeline_run.metrics["models"]

    assert list(models) == list(MODEL_NAMES)
    for result in models.values():
        for name in ACCURACY_METRICS:
            interval = result["accuracy"][name]
            assert interval["low"] <= interval["estimate"] <= interval["high"]
        assert set(BEYOND) <= set(result["beyond_accuracy"])
        assert set(ACCURACY_METRICS) <= set(result["cold_start"])
        assert result["training"]["size_bytes"] > 0
        assert result["fallback"] is None


def test_personalised_models_beat_random(pipeline_run: PipelineRun) -> None:
    models = pipeline_run.metrics["models"]
    floor = models["random"]["accuracy"]["ndcg"]["estimate"]

    for name in ("item_knn", "ease", "als", "content"):
        assert models[name]["accuracy"]["ndcg"]["estimate"] > floor, name


def _outside_blocks(text: str) -> str:
    for name in find_blocks(text):
        text = replace_block(text, name, "")
    return text


def _block(text: str, name: str) -> str:
    start, end = f"<!-- portfolio:{name}:start -->", f"<!-- portfolio:{name}:end -->"
    return text.split(start, 1)[1].split(end, 1)[0]


def test_render_blocks_writes_exactly_the_documented_blocks(pipeline_run: PipelineRun) -> None:
    root = pipeline_run.config.root
    figures = {name: root / "reports" / "figures" / f"{name}.png" for name in FIGURES}
    metrics = json.loads((root / "reports" / "metrics.json").read_text(encoding="utf-8"))

    blocks = render_blocks(metrics, figures, root, pipeline_run.config.names)

    assert {path.relative_to(root).as_posix(): set(b) for path, b in blocks.items()} == {
        name: set(names) for name, names in DOCUMENT_BLOCKS.items()
    }


def test_report_fills_every_block_and_keeps_the_authors_text(pipeline_run: PipelineRun) -> None:
    root = pipeline_run.config.root
    for name, blocks in DOCUMENT_BLOCKS.items():
        text = (root / name).read_text(encoding="utf-8")
        assert find_blocks(text) == list(blocks)
        for block in blocks:
            assert _block(text, block).strip(), (name, block)
        assert _outside_blocks(text).count(AUTHOR_TEXT) == len(blocks) + 1, name
    tradeoffs = (root / "docs" / "tradeoffs.md").read_text(encoding="utf-8")
    for model in MODEL_NAMES:
        assert f"| {model} " in tradeoffs
    for header in ("NDCG@", "Coverage", "Novelty", "Gini", "Personalisation", "Hits per 10,000"):
        assert header in tradeoffs
    for figure in FIGURES:
        assert f'src="../reports/figures/{figure}.png"' in tradeoffs


def test_the_site_is_built_from_the_reports_headline_and_figures(
    pipeline_run: PipelineRun, tmp_path: Path
) -> None:
    root = pipeline_run.config.root
    site_data = json.loads((root / SITE_DATA).read_text(encoding="utf-8"))
    assert site_data["headline"] == pipeline_run.metrics["headline"]
    assert [f["path"] for f in site_data["figures"]] == [
        f"reports/figures/{name}.png" for name in FIGURES
    ]
    page = (build_site(root, tmp_path / "site") / "index.html").read_text(encoding="utf-8")
    assert all(f'src="figures/{name}.png"' in page for name in FIGURES)


def test_the_report_speaks_of_the_configured_names(pipeline_run: PipelineRun) -> None:
    readme = (pipeline_run.config.root / "README.md").read_text(encoding="utf-8")
    names = pipeline_run.config.names

    assert f"{names.items} the {names.user} {names.interacted} later" in _block(readme, "business")
    assert f"cold-start {names.users}" in _block(readme, "summary")
    assert f"{names.users} with {pipeline_run.metrics['dataset']['items']:,} {names.items}" in (
        _block(readme, "data")
    )


def test_the_data_block_says_how_the_files_were_read(pipeline_run: PipelineRun) -> None:
    data = _block((pipeline_run.config.root / "README.md").read_text(encoding="utf-8"), "data")

    assert "comma-separated (detected)" in data
    assert "`user_id` as the member" in data
    assert "category and decade features" in data
    assert "one global time cut" in data
    assert "no model learns from anything after the moment it predicts" in data


def test_the_example_commands_name_ids_from_the_data(pipeline_run: PipelineRun) -> None:
    readme = (pipeline_run.config.root / "README.md").read_text(encoding="utf-8")
    examples = pipeline_run.metrics["examples"]
    interactions = pd.read_parquet(pipeline_run.config.processed_dir / "interactions.parquet")
    block = _block(readme, "try")

    assert examples["user"] in set(interactions.loc[interactions["period"] == "train", "user_id"])
    assert examples["unknown_user"] not in set(interactions["user_id"])
    assert set(examples["items"]) <= set(interactions["item_id"])
    assert f"USER_ID={shlex.quote(examples['user'])}" in block
    assert f"/users/{examples['user']}/recommendations" in block
    assert f"--seen {' '.join(examples['items'])}" in block


def test_report_rerun_changes_nothing(pipeline_run: PipelineRun) -> None:
    root = pipeline_run.config.root
    paths = [root / name for name in DOCUMENT_BLOCKS]
    figures = sorted((root / "reports" / "figures").glob("*.png"))
    before = [path.read_bytes() for path in paths + figures]

    report(pipeline_run.config)

    assert [path.read_bytes() for path in paths + figures] == before
    assert [path.stem for path in figures] == sorted(FIGURES)


def test_a_known_user_gets_titled_unseen_items(pipeline_run: PipelineRun) -> None:
    config = pipeline_run.config
    user = pipeline_run.metrics["examples"]["user"]
    result = recommend_for(config, user, k=5)

    assert not result.cold_start
    assert result.model == served_models(config)[0]
    assert len(result.items) == 5
    items = pd.read_parquet(config.processed_dir / "items.parquet").set_index("item_id")
    assert all(title == items.loc[item, "title"] for item, title in result.items)
    assert f"({config.names.item} {result.items[0][0]})" in result.to_text()


def test_an_unknown_user_falls_back_to_cold_start_and_says_so(pipeline_run: PipelineRun) -> None:
    config = pipeline_run.config
    result = recommend_for(config, "no-such-user", k=3, seen=["1", "2"])

    assert result.cold_start
    assert result.model == served_models(config)[1]
    assert "unknown" in result.to_text()
    assert {"1", "2"}.isdisjoint(item for item, _ in result.items)


def test_recommend_refuses_items_outside_the_catalogue(pipeline_run: PipelineRun) -> None:
    with pytest.raises(ValueError, match="not in the catalogue"):
        recommend_for(pipeline_run.config, "no-such-user", seen=["not-an-item"])


def test_the_command_line_prints_a_list(
    pipeline_run: PipelineRun, capsys: pytest.CaptureFixture[str]
) -> None:
    config_path = pipeline_run.config.root / "config.toml"
    user = pipeline_run.metrics["examples"]["user"]

    code = main(["--config", str(config_path), "recommend", user, "-k", "3"])

    assert code == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 4 and lines[1].startswith("1. ")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({}, "error: config file"),
        ({"evaluation": {"k": 10.5}}, "error: config.toml: evaluation.k = 10.5"),
        ({"split": {"test_fraction": "0.2"}}, "error: config.toml: split.test_fraction = '0.2'"),
        ({"data": {"interactions": {"path": "nope.csv"}}}, "error: data file not found"),
    ],
)
def test_the_command_line_turns_errors_into_one_line(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    overrides: dict[str, object],
    message: str,
) -> None:
    config = write_config(tmp_path / "project", overrides) if overrides else tmp_path / "none.toml"

    code = main(["--config", str(config), "prepare"])

    assert code == 1
    err = capsys.readouterr().err
    assert err.startswith(message)
    assert err.count("\n") == 1


def test_provenance_records_config_code_and_data(pipeline_run: PipelineRun) -> None:
    config = pipeline_run.config
    recorded = json.loads((config.root / PROVENANCE_FILE).read_text(encoding="utf-8"))

    assert "config.toml" in recorded["inputs"]
    assert config.data_files[0].resolve().as_posix() in recorded["inputs"]
    assert set(recorded["blocks"]) == set(DOCUMENT_BLOCKS)
    assert stale_inputs(config.root) == []


def test_derived_data_is_never_committed(pipeline_run: PipelineRun) -> None:
    ignore = pipeline_run.config.processed_dir / ".gitignore"

    assert ignore.read_text(encoding="utf-8") == "*\n"


def test_without_item_metadata_the_content_model_is_popularity_and_the_report_says_so(
    tmp_path: Path, small_sample: Path
) -> None:
    overrides = {
        "data": {"items": DELETE},
        # Per user, no one is new in the test period: with none withheld, no cold start at all.
        "split": {"cold_start_fraction": 0.0, "strategy": "per_user"},
        "recommend": {"cold_start_model": "content"},
    }
    config = load_config(write_config(tmp_path, overrides, data_dir=small_sample))

    metrics = run_pipeline(config)

    models = metrics["models"]
    assert metrics["cold_start_users"] == 0
    assert all(m["cold_start"] is None for m in models.values())
    assert all(m["beyond_accuracy"]["diversity"] is None for m in models.values())
    assert models["content"]["fallback"] == "popularity"
    assert models["content"]["accuracy"] == models["popularity"]["accuracy"]
    readme = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert "content model has nothing to use and falls back to popularity" in _block(readme, "data")
    assert "**content** falls back to popularity" in _block(readme, "summary")
    assert "n/a" in (tmp_path / "docs" / "tradeoffs.md").read_text(encoding="utf-8")
    item = metrics["examples"]["items"][0]
    assert "ranks by popularity alone" in recommend_for(config, "someone-new", seen=[item]).note
    assert f"per {config.names.user}: each {config.names.user}'s latest" in _block(readme, "data")


def _refuse(constant: str) -> None:
    raise ValueError(f"metrics.json holds {constant}, which is not JSON")


def test_metrics_file_is_plain_json_with_the_headline(pipeline_run: PipelineRun) -> None:
    path = pipeline_run.config.reports_dir / "metrics.json"

    metrics = json.loads(path.read_text(encoding="utf-8"), parse_constant=_refuse)

    assert metrics == pipeline_run.metrics
    assert metrics["headline"]["schema"] == 1
    # The site shows each text as escaped HTML, so a text is a plain sentence, no Markdown.
    for item in metrics["headline"]["items"]:
        assert not re.search(r"\*\*|`|<|\]\(", item["text"]), item["text"]


def test_an_unknown_user_with_no_history_gets_the_most_popular_and_is_told(
    pipeline_run: PipelineRun,
) -> None:
    result = recommend_for(pipeline_run.config, "someone-new", k=2)

    assert result.model == "popularity"
    assert "no things were given: the most popular things" in result.note
    assert [item for item, _ in result.items] == pipeline_run.metrics["examples"]["items"]


def test_ease_over_its_memory_budget_keeps_the_popular_items_and_the_report_says_so(
    tmp_path: Path, small_sample: Path
) -> None:
    budget = ease_bytes(8) / 2**30  # room for the 8 most popular items' matrix
    overrides = {"models": {"enabled": ["random", "popularity", "ease"], "ease": {"l2": 10.0}}}
    overrides["models"]["ease"]["max_memory_gib"] = budget
    config = load_config(write_config(tmp_path, overrides, data_dir=small_sample))

    metrics = run_pipeline(config)

    kept = metrics["models"]["ease"]["restriction"]
    assert kept["items"] == 8
    assert kept["of"] == metrics["dataset"]["items"]
    assert 0 < kept["interactions"] < 1
    assert metrics["models"]["popularity"]["restriction"] is None
    readme = (tmp_path / "README.md").read_text(encoding="utf-8")
    sentence = (
        f"ease ranks only the 8 most popular of the {kept['of']:,} {config.names.items} "
        f"({8 / kept['of']:.0%} of them, holding {kept['interactions']:.0%} of the training "
        "interactions)"
    )
    assert sentence in _block(readme, "data")
    assert "models.ease.max_memory_gib" in _block(readme, "data")


def test_ease_told_to_refuse_a_catalogue_over_its_budget_stops_with_one_line(
    tmp_path: Path, small_sample: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    overrides = {
        "models": {
            "enabled": ["random", "ease"],
            "ease": {"l2": 10.0, "max_memory_gib": ease_bytes(8) / 2**30, "on_too_large": "refuse"},
        }
    }
    config = write_config(tmp_path, overrides, data_dir=small_sample)

    assert main(["--config", str(config), "prepare"]) == 0
    code = main(["--config", str(config), "train"])

    assert code == 1
    err = capsys.readouterr().err
    assert err.startswith("error: EASE needs ")
    assert "models.ease.max_memory_gib" in err
    assert err.count("\n") == 1
    assert not (tmp_path / "models" / "training.json").exists()
