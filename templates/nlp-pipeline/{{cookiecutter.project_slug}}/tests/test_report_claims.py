"""The documents state what the comparisons found: a winning baseline is named wherever it shows."""

import dataclasses
import json
from pathlib import Path

import numpy as np
from corpora import binary_project

from {{ cookiecutter.__package }}.comparisons import Policy, Words, compare_policies
from {{ cookiecutter.__package }}.config import Config, load_config
from {{ cookiecutter.__package }}.evaluate import Evaluation, evaluate
from {{ cookiecutter.__package }}.headline import headline
from {{ cookiecutter.__package }}.provenance import block_contents
from {{ cookiecutter.__package }}.report import write_report
from {{ cookiecutter.__package }}.train import train


def _keyword_rule_wins(evaluation: Evaluation) -> Evaluation:
    """The session's evaluation, but with a perfect keyword rule and a model wrong on 30%."""
    y = evaluation.y_test
    wrong = np.random.default_rng(0).random(y.size) < 0.3
    predictions = {
        "model": np.where(wrong, 1 - y, y).astype(np.int64),
        "keywords": y.copy(),
        "act_on_no_one": np.zeros_like(y),
    }
    phrases = {"model": "the chosen threshold 0.500", "keywords": "the keyword rule"}
    policies = [
        Policy(key, key, phrases.get(key, "acting on no message"), "t", predicted, key != "model")
        for key, predicted in predictions.items()
    ]
    comparison = compare_policies(
        y, policies, evaluation.costs, Words("EUR", "message", "messages"), resamples=200, seed=0
    )
    for row in comparison["policies"]:
        row.update({"macro_f1": 0.5, "micro_f1": 0.5, "positive_f1": 0.5})
    metrics = dict(evaluation.metrics)
    metrics["comparison"] = comparison
    metrics["headline"] = headline(
        comparison,
        y,
        predictions["model"],
        evaluation.costs,
        items="messages",
        action="held back",
        resamples=200,
        seed=0,
    )
    return dataclasses.replace(evaluation, metrics=metrics, predictions=predictions)


def test_a_baseline_that_beats_the_model_is_named_the_winner_everywhere(
    evaluation: Evaluation, tmp_path: Path
) -> None:
    config = load_config(binary_project(tmp_path))
    changed = _keyword_rule_wins(evaluation)
    best = changed.metrics["headline"]["items"][0]
    assert best["high"] < 0 and best["conclusive"]
    write_report(config, changed)
    winner = "The keyword rule costs "
    verdict = "less than the model: it beats the model on this test set."
    for document in ("README.md", "MODEL_CARD.md"):
        blocks = block_contents((tmp_path / document).read_text(encoding="utf-8"))
        for name in ("glance", "business"):
            lines = [line for line in blocks[name].splitlines() if winner in line]
            assert lines and all(verdict in line for line in lines), (document, name)
    saved = json.loads((tmp_path / "reports" / "metrics.json").read_text(encoding="utf-8"))
    assert saved["headline"]["items"][0]["text"].startswith(winner)
    assert "beats the model" in saved["headline"]["figure_caption"]


def test_the_glance_block_holds_the_headline_and_its_hero_figure(sample_config, reported) -> None:
    blocks = block_contents((sample_config.root / "README.md").read_text(encoding="utf-8"))
    metrics = json.loads((sample_config.reports_dir / "metrics.json").read_text(encoding="utf-8"))
    headline_ = metrics["headline"]
    bullets = [line for line in blocks["glance"].splitlines() if line.startswith("- **")]
    assert len(bullets) == len(headline_["items"]) <= 3
    for bullet, item in zip(bullets, headline_["items"], strict=True):
        assert bullet.endswith(item["text"])
        assert "[" in item["text"]  # every number comes with its interval
    assert f"]({headline_['figure']})" in blocks["glance"]
    assert f"*{headline_['figure_caption']}*" in blocks["glance"]
    assert (sample_config.root / headline_["figure"]).is_file()


def test_figures_stand_two_to_a_row_each_with_its_caption(sample_config, reported) -> None:
    blocks = block_contents((sample_config.root / "README.md").read_text(encoding="utf-8"))
    rows = [line for line in blocks["figures"].splitlines() if line.startswith("<tr>")]
    assert rows and all(1 <= line.count("<td") <= 2 for line in rows)
    assert sum(line.count("<td") for line in rows[:-1]) == 2 * (len(rows) - 1)
    for line in rows:
        assert line.count("<sub>") == line.count("<img")


def test_no_table_is_wider_than_eight_columns(
    sample_config, reported, topics_config, topics_reported
) -> None:
    for config in (sample_config, topics_config):
        text = (config.root / "README.md").read_text(encoding="utf-8")
        for line in text.splitlines():
            if line.startswith("| ") and not line.startswith("| ---"):
                assert line.count(" | ") + 1 <= 8, line


def _fixture_with(tmp_path: Path, line: str, lines: str) -> Config:
    """Return the two-class fixture's config in ``tmp_path`` with ``line`` replaced."""
    path = binary_project(tmp_path)
    path.write_text(path.read_text(encoding="utf-8").replace(line, lines), encoding="utf-8")
    return load_config(path)


def test_capped_resamples_are_said_in_the_report(tmp_path: Path) -> None:
    config = _fixture_with(
        tmp_path,
        "bootstrap_resamples = 200",
        "bootstrap_resamples = 300\nbootstrap_max_draws = 1000",
    )
    train(config)
    evaluation = evaluate(config)
    drawn = evaluation.metrics["test"]["bootstrap"]
    assert drawn == {"configured": 300, "resamples": 200, "max_draws": 1000}
    assert evaluation.metrics["model"]["decision"]["stability"]["resamples"] == 200
    write_report(config, evaluation)
    readme = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert (
        "The intervals come from 200 bootstrap resamples, not the 300 of [report] "
        "bootstrap_resamples" in readme
    )


def test_uncapped_resamples_say_nothing_of_it(sample_config, reported) -> None:
    readme = (sample_config.root / "README.md").read_text(encoding="utf-8")
    assert "bootstrap_max_draws" not in readme


def test_c_tuned_on_a_sample_is_said_in_the_report(tmp_path: Path) -> None:
    config = _fixture_with(tmp_path, "tuning_folds = 2", "tuning_folds = 2\ntuning_texts = 200")
    result = train(config)
    training = result.prepared.frame["split"].eq("train").sum()
    assert result.tuning.sampled and result.tuning.texts < training == result.tuning.of
    write_report(config, evaluate(config))
    decision = tmp_path / "docs" / "decisions" / "0003-tune-and-calibrate-on-validation.md"
    said = " ".join(decision.read_text(encoding="utf-8").split())
    assert (
        f"The folds were cut from a seeded sample of {result.tuning.texts:,} of the "
        f"{training:,} training messages (seed {config.seed + 2};" in said
    )
    assert f"the model was then fitted on all {training:,} with the C chosen" in said


def test_c_tuned_on_every_text_says_nothing_of_a_sample(sample_config, reported) -> None:
    decision = (
        sample_config.root / "docs" / "decisions" / "0003-tune-and-calibrate-on-validation.md"
    )
    assert "tuning_texts" not in decision.read_text(encoding="utf-8")
