"""Everything chosen is chosen on validation, and the test period never influences a choice."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from {{ cookiecutter.__package }}.config import Config, load_config
from {{ cookiecutter.__package }}.models import PopularityRecommender
from {{ cookiecutter.__package }}.prepare import load_dataset, prepare
from {{ cookiecutter.__package }}.report import tuning_sample_sentence
from {{ cookiecutter.__package }}.scoring import Catalogue, score_group
from {{ cookiecutter.__package }}.tuning import served_models, validate

from tests.conftest import PipelineRun, run_pipeline, write_config


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


def test_above_validation_users_each_candidate_is_scored_on_a_seeded_sample(
    tmp_path: Path, small_sample: Path
) -> None:
    config = load_config(
        write_config(tmp_path, {"tuning": {"validation_users": 20}}, data_dir=small_sample)
    )
    prepare(config)
    dataset = load_dataset(config)
    phase = dataset.phase("validation")

    record = validate(config, dataset).record

    assert record == validate(config, load_dataset(config)).record
    assert (record["warm_users"], record["cold_start_users"]) == (phase.warm.size, phase.cold.size)
    assert record["sample"] == {
        "limit": 20,
        "seed": config.seed,
        "warm_users": 20,
        "cold_start_users": min(20, phase.cold.size),
    }
    sample = phase.warm.sample(20, config.seed)
    assert sample.size == 20 and set(sample.users) < set(phase.warm.users)
    popularity = PopularityRecommender().fit(phase.fit, dataset.features)
    catalogue = Catalogue.of(phase.fit, dataset.features)
    ndcg = score_group(popularity, sample, k=config.evaluation.k, catalogue=catalogue)
    scored = record["models"]["popularity"]["ndcg"]["estimate"]
    assert scored == pytest.approx(ndcg.per_user["ndcg"].mean())
    sentence = tuning_sample_sentence(record, config.names)
    assert f"20 of the {phase.warm.size:,} known" in sentence
    assert "`tuning.validation_users = 20`" in sentence


def test_with_validation_users_all_every_user_is_scored_and_nothing_is_said(
    tmp_path: Path, small_sample: Path
) -> None:
    config = load_config(
        write_config(tmp_path, {"tuning": {"validation_users": "all"}}, data_dir=small_sample)
    )
    prepare(config)
    dataset = load_dataset(config)
    phase = dataset.phase("validation")

    record = validate(config, dataset).record

    assert record["sample"]["warm_users"] == phase.warm.size
    assert record["sample"]["cold_start_users"] == phase.cold.size
    assert tuning_sample_sentence(record, config.names) == ""
    assert phase.warm.sample(None, config.seed) is phase.warm


def test_the_documents_say_when_tuning_sampled_users(tmp_path: Path, small_sample: Path) -> None:
    config = load_config(
        write_config(tmp_path, {"tuning": {"validation_users": 20}}, data_dir=small_sample)
    )
    metrics = run_pipeline(config)
    sentence = tuning_sample_sentence(metrics["validation"], config.names)

    assert sentence
    for document in ("README.md", "docs/tradeoffs.md", "MODEL_CARD.md"):
        assert sentence in (config.root / document).read_text(encoding="utf-8"), document
