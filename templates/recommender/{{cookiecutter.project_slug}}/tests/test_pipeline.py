"""The whole pipeline on a small sample: metrics, the report rewrite, and recommend."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from {{ cookiecutter.__package }}.__main__ import main
from {{ cookiecutter.__package }}.config import MODEL_NAMES, load_config
from {{ cookiecutter.__package }}.markers import find_blocks, replace_block
from {{ cookiecutter.__package }}.metrics import ACCURACY_METRICS
from {{ cookiecutter.__package }}.provenance import PROVENANCE_FILE, stale_inputs
from {{ cookiecutter.__package }}.recommend import recommend_for
from {{ cookiecutter.__package }}.report import report

from tests.conftest import DOCUMENTS, ROOT, PipelineRun, write_config

BEYOND = ("coverage", "novelty", "diversity", "gini", "personalisation", "latency_ms_per_user")


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


def test_personalised_models_beat_random(pipeline_run: PipelineRun) -> None:
    models = pipeline_run.metrics["models"]
    floor = models["random"]["accuracy"]["ndcg"]["estimate"]

    for name in ("item_knn", "ease", "content"):
        assert models[name]["accuracy"]["ndcg"]["estimate"] > floor, name


def _outside_blocks(text: str) -> str:
    for name in find_blocks(text):
        text = replace_block(text, name, "")
    return text


def test_report_fills_every_block_and_keeps_the_authors_text(pipeline_run: PipelineRun) -> None:
    root = pipeline_run.config.root
    for name in DOCUMENTS:
        text = (root / name).read_text(encoding="utf-8")
        original = (ROOT / name).read_text(encoding="utf-8")
        assert find_blocks(text) == find_blocks(original)
        assert "_Run `make all` to fill this section._" not in text, name
        assert _outside_blocks(text) == _outside_blocks(original), name
    tradeoffs = (root / "docs" / "tradeoffs.md").read_text(encoding="utf-8")
    for model in MODEL_NAMES:
        assert f"| {model} " in tradeoffs
    for header in ("NDCG@", "Coverage", "Novelty", "Gini", "Personalisation", "Hits per 10,000"):
        assert header in tradeoffs
    assert "(../reports/figures/tradeoffs.png)" in tradeoffs


def test_report_rerun_changes_nothing(pipeline_run: PipelineRun) -> None:
    root = pipeline_run.config.root
    paths = [root / name for name in DOCUMENTS]
    figures = sorted((root / "reports" / "figures").glob("*.png"))
    before = [path.read_bytes() for path in paths + figures]

    report(pipeline_run.config)

    assert [path.read_bytes() for path in paths + figures] == before
    assert len(figures) == 3


def test_a_known_user_gets_titled_unseen_items(pipeline_run: PipelineRun) -> None:
    config = pipeline_run.config
    result = recommend_for(config, "1", k=5)

    assert not result.cold_start
    assert result.model == config.serve_model
    assert len(result.items) == 5
    assert all(title.startswith("The ") for _, title in result.items)


def test_an_unknown_user_falls_back_to_cold_start_and_says_so(pipeline_run: PipelineRun) -> None:
    config = pipeline_run.config
    result = recommend_for(config, "no-such-user", k=3, seen=["1", "2"])

    assert result.cold_start
    assert result.model == config.cold_start_model
    assert "unknown" in result.to_text()
    assert {"1", "2"}.isdisjoint(item for item, _ in result.items)


def test_recommend_refuses_items_outside_the_catalogue(pipeline_run: PipelineRun) -> None:
    with pytest.raises(ValueError, match="not in the catalogue"):
        recommend_for(pipeline_run.config, "no-such-user", seen=["not-an-item"])


def test_the_command_line_prints_a_list(
    pipeline_run: PipelineRun, capsys: pytest.CaptureFixture[str]
) -> None:
    config_path = pipeline_run.config.root / "config.toml"

    code = main(["--config", str(config_path), "recommend", "1", "-k", "3"])

    assert code == 0
    assert "1. The " in capsys.readouterr().out


def test_the_command_line_turns_errors_into_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["--config", str(tmp_path / "missing.toml"), "train"])

    assert code == 1
    assert capsys.readouterr().err.startswith("error: config file not found")


def test_provenance_records_config_code_and_data(pipeline_run: PipelineRun) -> None:
    config = pipeline_run.config
    recorded = json.loads((config.root / PROVENANCE_FILE).read_text(encoding="utf-8"))

    assert "config.toml" in recorded["inputs"]
    assert config.data.interactions.resolve().as_posix() in recorded["inputs"]
    assert set(recorded["blocks"]) == set(DOCUMENTS)
    assert stale_inputs(config.root) == []


def test_derived_data_is_never_committed(pipeline_run: PipelineRun) -> None:
    ignore = pipeline_run.config.processed_dir / ".gitignore"

    assert ignore.read_text(encoding="utf-8") == "*\n"


def test_data_without_metadata_or_cold_start_still_gets_a_full_report(
    tmp_path: Path, small_sample: tuple[Path, Path]
) -> None:
    for name in DOCUMENTS:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / name, tmp_path / name)
    extra = "[split]\ncold_start_fraction = 0.0\n"
    config = load_config(write_config(tmp_path, small_sample[0], None, extra))

    assert main(["--config", str(tmp_path / "config.toml"), "all"]) == 0

    metrics = json.loads((config.reports_dir / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["cold_start_users"] == 0
    assert all(m["cold_start"] is None for m in metrics["models"].values())
    assert all(m["beyond_accuracy"]["diversity"] is None for m in metrics["models"].values())
    tradeoffs = (tmp_path / "docs" / "tradeoffs.md").read_text(encoding="utf-8")
    assert "n/a" in tradeoffs


def test_metrics_file_is_plain_json(pipeline_run: PipelineRun) -> None:
    path = pipeline_run.config.reports_dir / "metrics.json"

    assert json.loads(path.read_text(encoding="utf-8")) == pipeline_run.metrics
