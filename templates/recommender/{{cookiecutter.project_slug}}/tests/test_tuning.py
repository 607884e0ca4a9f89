"""Everything chosen is chosen on validation, and the test period never influences a choice."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from {{ cookiecutter.__package }}.config import Config, load_config
from {{ cookiecutter.__package }}.prepare import load_dataset, prepare
from {{ cookiecutter.__package }}.tuning import served_models, validate

from tests.conftest import PipelineRun, write_config


@pytest.fixture
def prepared(small_config: Config) -> Config:
    prepare(small_config)
    return small_config


def test_each_model_keeps_the_candidate_best_on_validation(pipeline_run: PipelineRun) -> None:
    record = pipeline_run.metrics["validation"]

    for name, result in record["models"].items():
        if result["hyperparameter"] is None:
            assert result["value"] is None and result["grid"] == []
            continue
        best = max(result["grid"], key=lambda g: g["ndcg"])
        assert result["value"] == best["value"], name
        assert result["ndcg"]["estimate"] == pytest.approx(best["ndcg"])
        assert pipeline_run.metrics["models"][name]["hyperparameters"] == {
            result["hyperparameter"]: best["value"]
        }


def test_the_served_models_are_the_best_on_validation_never_random(
    pipeline_run: PipelineRun,
) -> None:
    record = pipeline_run.metrics["validation"]
    known = {n: r["ndcg"]["estimate"] for n, r in record["models"].items() if n != "random"}
    cold = {
        n: r["cold_start_ndcg"]["estimate"] for n, r in record["models"].items() if n != "random"
    }

    assert record["selection"]["model"]["name"] == max(known, key=known.__getitem__)
    assert record["selection"]["cold_start_model"]["name"] == max(cold, key=cold.__getitem__)
    assert pipeline_run.metrics["served"] == {
        "model": record["selection"]["model"]["name"],
        "cold_start_model": record["selection"]["cold_start_model"]["name"],
    }


def test_the_test_period_changes_no_choice(prepared: Config) -> None:
    before = validate(prepared, load_dataset(prepared)).record
    path = prepared.processed_dir / "interactions.parquet"
    split = pd.read_parquet(path)
    test = split["period"] == "test"
    # Whatever the test period holds (here: its items shuffled among its rows), nothing
    # chosen on validation moves.
    shuffled = np.random.default_rng(0).permutation(split.loc[test, "item_id"].to_numpy())
    split.loc[test, "item_id"] = shuffled
    split.drop_duplicates(["user_id", "item_id"]).to_parquet(path, index=False)

    after = validate(prepared, load_dataset(prepared)).record

    assert after == before


def test_a_model_named_in_the_config_is_served_and_validation_still_reported(
    tmp_path: Path, small_sample: Path
) -> None:
    overrides = {"recommend": {"model": "popularity", "cold_start_model": "content"}}
    config = load_config(write_config(tmp_path, overrides, data_dir=small_sample))
    prepare(config)

    chosen = validate(config, load_dataset(config))

    selection = chosen.record["selection"]
    assert (chosen.model, chosen.cold_start_model) == ("popularity", "content")
    assert selection["model"]["how"] == "config"
    assert selection["model"]["validation_best"] != "popularity"
    assert set(selection["model"]["versus"]) == set(selection["model"]["ranked"]) - {"popularity"}


def test_with_no_cold_start_user_popularity_serves_new_users(
    tmp_path: Path, small_sample: Path
) -> None:
    overrides = {"split": {"cold_start_fraction": 0.0, "strategy": "per_user"}}
    config = load_config(write_config(tmp_path, overrides, data_dir=small_sample))
    prepare(config)

    chosen = validate(config, load_dataset(config))

    assert chosen.cold_start_model == "popularity"
    assert chosen.record["selection"]["cold_start_model"]["how"] == "no cold-start users"


def test_served_models_need_a_trained_project(small_config: Config) -> None:
    with pytest.raises(FileNotFoundError, match="run `make train` first"):
        served_models(small_config)
