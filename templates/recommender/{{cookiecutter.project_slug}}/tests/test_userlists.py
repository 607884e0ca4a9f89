"""The site's per-user lists are the lists the test evaluation judged, with the report's metrics."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from {{ cookiecutter.__package }} import userlists
from {{ cookiecutter.__package }}.config import load_config
from {{ cookiecutter.__package }}.evaluate import LISTS_FILE
from {{ cookiecutter.__package }}.models import load_model
from {{ cookiecutter.__package }}.prepare import load_dataset
from {{ cookiecutter.__package }}.scoring import Catalogue, score_group
from {{ cookiecutter.__package }}.site import SITE_DATA, build_site

from tests.conftest import DELETE, PipelineRun, run_pipeline, write_config


@pytest.fixture(scope="module")
def payload(pipeline_run: PipelineRun) -> dict[str, Any]:
    data = json.loads((pipeline_run.config.root / SITE_DATA).read_text(encoding="utf-8"))
    interactive: dict[str, Any] = data["interactive"]
    return interactive


def _items(payload: dict[str, Any], refs: list[int]) -> list[str]:
    return [payload["items"][ref][0] for ref in refs]


def _judged_lists(run: PipelineRun, model: str, group: str) -> dict[str, list[str]]:
    """Each user's list as ``evaluate`` scores it, by user id."""
    dataset = load_dataset(run.config)
    phase = dataset.phase("test")
    chosen = phase.warm if group == "warm" else phase.cold
    scored = score_group(
        load_model(run.config.models_dir / f"{model}.skops"),
        chosen,
        k=run.metrics["k"],
        catalogue=Catalogue.of(phase.fit, dataset.features),
    )
    return {
        str(dataset.user_ids[row]): [str(dataset.item_ids[i]) for i in recs]
        for row, recs in zip(chosen.users, scored.recs, strict=True)
    }


def _interactions(run: PipelineRun) -> Any:
    frame = load_dataset(run.config).interactions
    return frame.assign(user=frame["user_id"].astype(str), item=frame["item_id"].astype(str))


def test_the_report_exports_a_seeded_bounded_sample_of_judged_users(
    pipeline_run: PipelineRun, payload: dict[str, Any]
) -> None:
    warm = load_dataset(pipeline_run.config).phase("test").warm

    assert payload["kind"] == "recommender"
    assert payload["sample"]["of"] == warm.size == pipeline_run.metrics["warm_users"]
    assert len(payload["users"]) == min(userlists.SAMPLE_USERS, warm.size)
    assert len({user["id"] for user in payload["users"]}) == len(payload["users"])
    assert userlists.lists_payload(pipeline_run.config, pipeline_run.metrics) == payload


def test_a_smaller_bound_keeps_that_many_users_the_same_each_time(
    pipeline_run: PipelineRun, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(userlists, "SAMPLE_USERS", 7)
    first = userlists.lists_payload(pipeline_run.config, pipeline_run.metrics)
    again = userlists.lists_payload(pipeline_run.config, pipeline_run.metrics)

    assert len(first["users"]) == 7
    assert [u["id"] for u in first["users"]] == [u["id"] for u in again["users"]]


def test_every_list_is_the_one_the_test_evaluation_judged(
    pipeline_run: PipelineRun, payload: dict[str, Any]
) -> None:
    assert [model["name"] for model in payload["models"]] == list(pipeline_run.metrics["models"])
    for model in payload["models"]:
        judged = _judged_lists(pipeline_run, model["name"], "warm")
        for user in payload["users"]:
            shown = _items(payload, user["lists"][model["name"]])
            assert shown == judged[user["id"]], (model["name"], user["id"])
            assert len(shown) == payload["k"]


def test_the_report_takes_the_lists_evaluate_saved_without_scoring_again(
    pipeline_run: PipelineRun, payload: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(path: Path) -> None:
        raise AssertionError(f"{path.name} was loaded to score the lists again")

    monkeypatch.setattr(userlists, "load_model", refuse)

    assert (pipeline_run.config.models_dir / LISTS_FILE).is_file()
    assert userlists.lists_payload(pipeline_run.config, pipeline_run.metrics) == payload


def test_without_saved_lists_the_report_scores_the_same_lists_again(
    pipeline_run: PipelineRun, payload: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(userlists, "LISTS_FILE", "missing.npz")

    assert userlists.lists_payload(pipeline_run.config, pipeline_run.metrics) == payload


def test_hits_history_and_held_out_counts_follow_the_interactions(
    pipeline_run: PipelineRun, payload: dict[str, Any]
) -> None:
    frame = _interactions(pipeline_run)
    for user in payload["users"]:
        mine = frame[frame["user"] == user["id"]].sort_values("position")
        later = set(mine.loc[mine["period"] == "test", "item"])
        before = mine.loc[mine["period"] != "test", "item"].tolist()
        assert user["held_out"] == len(later)
        assert user["history_count"] == len(before)
        assert _items(payload, user["history"]) == before[::-1][: userlists.HISTORY_SHOWN]
        for name, refs in user["lists"].items():
            shown = _items(payload, refs)
            assert user["hits"][name] == [r for r, item in enumerate(shown) if item in later]
            assert not set(shown) & set(before), "a model recommended what the user had seen"


def test_each_models_metrics_are_metrics_json_s(
    pipeline_run: PipelineRun, payload: dict[str, Any]
) -> None:
    for model in payload["models"]:
        entry = pipeline_run.metrics["models"][model["name"]]
        keys = [metric["key"] for metric in model["metrics"]]
        assert keys == [key for key, *_ in userlists.METRICS_SHOWN]
        for metric in model["metrics"]:
            value = entry
            for step in metric["path"]:
                value = value[step]
            interval = value if isinstance(value, dict) else {"estimate": value}
            assert metric["estimate"] == interval["estimate"]
            assert (metric["low"], metric["high"]) == (interval.get("low"), interval.get("high"))


def test_the_cold_start_answers_are_the_served_cold_start_models(
    pipeline_run: PipelineRun, payload: dict[str, Any]
) -> None:
    cold = payload["cold_start"]
    name = pipeline_run.metrics["served"]["cold_start_model"]
    known = pipeline_run.metrics["cold_start_known"]
    judged = _judged_lists(pipeline_run, name, "cold_start")
    frame = _interactions(pipeline_run)

    assert cold["model"] == name
    assert cold["users_judged"] == pipeline_run.metrics["cold_start_users"]
    assert 0 < len(cold["users"]) <= userlists.COLD_START_USERS
    expected = pipeline_run.metrics["models"][name]["cold_start"]
    assert [m["estimate"] for m in cold["metrics"]] == [
        expected[key]["estimate"] for key, *_ in userlists.COLD_START_METRICS
    ]
    for user in cold["users"]:
        mine = frame[frame["user"] == user["id"]].sort_values("position")
        assert _items(payload, user["given"]) == mine["item"].tolist()[:known]
        shown = _items(payload, user["list"])
        assert shown == judged[user["id"]]
        later = set(mine.loc[(mine["period"] == "test") & (mine["position"] >= known), "item"])
        assert user["hits"] == [r for r, item in enumerate(shown) if item in later]


def test_the_site_loads_the_recommender_script(pipeline_run: PipelineRun, tmp_path: Path) -> None:
    site = build_site(pipeline_run.config.root, tmp_path / "site")

    assert (site / "assets" / "recommender.js").is_file()
    assert '<script src="assets/recommender.js">' in (site / "index.html").read_text("utf-8")


def test_with_no_metadata_and_no_cold_start_the_titles_are_ids_and_no_answer_is_made_up(
    tmp_path: Path, small_sample: Path
) -> None:
    overrides = {
        "data": {"items": DELETE},
        "split": {"cold_start_fraction": 0.0, "strategy": "per_user"},
    }
    config = load_config(write_config(tmp_path, overrides, data_dir=small_sample))
    metrics = run_pipeline(config)

    payload = json.loads((config.root / SITE_DATA).read_text(encoding="utf-8"))["interactive"]

    assert metrics["cold_start_users"] == 0
    assert payload["cold_start"] is None
    assert all(item_id == title for item_id, title in payload["items"])
    for model in payload["models"]:
        assert "cold_start_ndcg" not in [metric["key"] for metric in model["metrics"]]
