"""The whole pipeline on the bundled sample: leak-free split, complete report, idempotent."""

import json
from pathlib import Path

import numpy as np
import pytest
from sklearn.feature_extraction.text import CountVectorizer

from {{ cookiecutter.__package }}.cli import main
from {{ cookiecutter.__package }}.markers import find_blocks
from {{ cookiecutter.__package }}.normalise import dedup_key
from {{ cookiecutter.__package }}.report import write_report
from {{ cookiecutter.__package }}.train import load_split


def test_no_test_message_has_a_copy_in_training(sample_config, trained) -> None:
    frame = load_split(sample_config)
    keys = frame["normalised"].map(dedup_key)
    train, test = keys[frame["split"] == "train"], keys[frame["split"] == "test"]
    assert not set(train) & set(test)
    # Independent check with scikit-learn's shingles: no cross pair reaches the threshold.
    shingles = CountVectorizer(analyzer="char", ngram_range=(5, 5), binary=True, lowercase=False)
    matrix = shingles.fit_transform([k.ljust(5) for k in keys])
    a, b = (
        matrix[np.flatnonzero(frame["split"] == "test")],
        matrix[np.flatnonzero(frame["split"] == "train")],
    )
    common = (a @ b.T).toarray()
    union = np.asarray(a.sum(1)) + np.asarray(b.sum(1)).T - common
    # Texts shorter than a shingle have none here; equal ones were caught as exact copies above.
    similarity = np.divide(common, union, out=np.zeros(common.shape), where=union > 0)
    assert similarity.max() < sample_config.dedup.near_duplicate_jaccard


def test_report_fills_every_block(sample_config, reported) -> None:
    readme = (sample_config.root / "README.md").read_text(encoding="utf-8")
    for block in ("results", "business", "errors", "features", "subgroups", "data", "figures"):
        assert block in find_blocks(readme)
        start = readme.index(f"<!-- portfolio:{block}:start -->")
        end = readme.index(f"<!-- portfolio:{block}:end -->")
        assert len(readme[start:end].splitlines()) > 2, block
    assert "Run `make all` to fill" not in readme
    assert "TODO(portfolio)" in readme
    decision = (sample_config.root / "docs/decisions/0001-threshold-by-cost.md").read_text(
        encoding="utf-8"
    )
    assert "Chosen by expected cost" in decision
    assert {p.name for p in reported} >= {"README.md", "MODEL_CARD.md", "DATASHEET.md"}


def test_metrics_and_figures_are_written(sample_config, reported) -> None:
    metrics = json.loads((sample_config.reports_dir / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["data"]["messages"] == 800
    assert metrics["test"]["messages"] == metrics["data"]["split"]["test"]["messages"]
    figures = sorted(p.name for p in (sample_config.reports_dir / "figures").glob("*.png"))
    assert figures == ["confusion_matrix.png", "cost_curve.png", "score_distribution.png"]
    assert (sample_config.reports_dir / "provenance.json").is_file()


def test_report_is_idempotent(sample_config, evaluation, reported) -> None:
    paths = [
        sample_config.root / "README.md",
        *sorted((sample_config.reports_dir / "figures").glob("*.png")),
    ]
    before = [p.read_bytes() for p in paths]
    write_report(sample_config, evaluation)
    assert [p.read_bytes() for p in paths] == before


def test_cli_reports_errors_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config", str(tmp_path / "missing.toml"), "train"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "not found" in err
    assert len(err.strip().splitlines()) == 1


def test_cli_evaluate_prints_a_summary(
    sample_config, trained, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--config", str(sample_config.path), "evaluate"]) == 0
    assert "macro-F1" in capsys.readouterr().out
