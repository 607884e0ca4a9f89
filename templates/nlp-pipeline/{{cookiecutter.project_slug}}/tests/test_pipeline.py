"""The whole pipeline on the tests' own corpora: leak-free split, complete report, idempotent."""

import json
from pathlib import Path

import numpy as np
import pytest
from corpora import topics_project
from sklearn.feature_extraction.text import CountVectorizer

from {{ cookiecutter.__package }}.blocks import BLOCK_NAMES
from {{ cookiecutter.__package }}.cli import main
from {{ cookiecutter.__package }}.config import Config, load_config
from {{ cookiecutter.__package }}.models import build_model
from {{ cookiecutter.__package }}.normalise import dedup_key
from {{ cookiecutter.__package }}.provenance import block_contents
from {{ cookiecutter.__package }}.report import write_report
from {{ cookiecutter.__package }}.site import SITE_DATA, build_site, links_markdown, project_links
from {{ cookiecutter.__package }}.train import load_split

ALWAYS = {"policy_savings.png", "confusion_matrix.png", "per_class_f1.png", "reliability.png"}
THRESHOLD = {"cost_curve.png", "score_distribution.png"}


def _blocks(config: Config, name: str = "README.md") -> dict[str, str]:
    return block_contents((config.root / name).read_text(encoding="utf-8"))


def test_the_saved_model_is_the_one_a_fit_on_the_raw_texts_gives(sample_config, trained) -> None:
    # train fits past the normaliser on the texts prepare already normalised.
    frame = trained.prepared.frame
    train_rows = frame[frame["split"] == "train"]
    refit = build_model(sample_config, C=trained.tuning.chosen)
    refit.fit(train_rows["text"].tolist(), train_rows["y"].to_numpy())
    test = frame.loc[frame["split"] == "test", "text"].tolist()
    # Equal to rounding, not bit for bit: with the oldest supported dependencies the two
    # fits were 4.5e-14 apart.
    np.testing.assert_allclose(
        refit.predict_proba(test), trained.model.pipeline.predict_proba(test), rtol=0, atol=1e-12
    )


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


@pytest.mark.parametrize("run", ["reported", "topics_reported"])
def test_the_report_fills_every_block(run: str, request: pytest.FixtureRequest) -> None:
    config = request.getfixturevalue("sample_config" if run == "reported" else "topics_config")
    request.getfixturevalue(run)
    for document in ("README.md", "MODEL_CARD.md", "docs/DATASHEET.md"):
        blocks = _blocks(config, document)
        assert set(blocks) == set(BLOCK_NAMES)
        for name, content in blocks.items():
            assert content.strip(), f"{document}: block {name} is empty"
            if name == "links":  # says what to run to get links: checked on its own below
                assert content == links_markdown(project_links(config.root))
                continue
            assert "make all" not in content, f"{document}: block {name} was not filled"


def test_the_report_speaks_of_the_configured_classes_and_items(
    topics_config, topics_reported
) -> None:
    blocks = _blocks(topics_config)
    for name in ("Billing", "Delivery", "Technical"):
        assert f"| {name}" in blocks["results"]
    assert "tickets" in blocks["results"] and "message" not in " ".join(blocks.values())
    assert "Synthetic support tickets" in blocks["dataset"]
    assert "9" in blocks["data"] and "[labels] drop" in blocks["data"]
    assert "semicolon-separated (detected)" in blocks["data"]
    assert "`subject`, `body`" in blocks["data"] and "`subject`, `body`" in blocks["predict"]
    assert (
        "True Technical, given Billing" in blocks["threshold"]
        or "| Technical" in blocks["threshold"]
    )
    assert "Cost each (USD)" in blocks["business"]


def test_metrics_and_figures_are_written(sample_config, reported) -> None:
    metrics = json.loads((sample_config.reports_dir / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["data"]["texts"] == 800
    assert metrics["test"]["texts"] == metrics["data"]["split"]["test"]["texts"]
    figures = {p.name for p in (sample_config.reports_dir / "figures").glob("*.png")}
    assert figures == ALWAYS | THRESHOLD
    assert (sample_config.reports_dir / "provenance.json").is_file()


def test_the_site_shows_the_headline_and_opens_on_its_hero_figure(
    sample_config, reported, tmp_path: Path
) -> None:
    metrics = json.loads((sample_config.reports_dir / "metrics.json").read_text(encoding="utf-8"))
    site_data = json.loads((sample_config.root / SITE_DATA).read_text(encoding="utf-8"))
    assert site_data["headline"] == metrics["headline"]
    paths = [figure["path"] for figure in site_data["figures"]]
    assert paths[0] == metrics["headline"]["figure"]
    assert {Path(path).name for path in paths} == ALWAYS | THRESHOLD
    page = (build_site(sample_config.root, tmp_path / "site") / "index.html").read_text("utf-8")
    assert metrics["headline"]["items"][0]["label"] in page


def test_more_classes_draw_no_threshold_figures_and_remove_stale_ones(tmp_path: Path) -> None:
    config = load_config(topics_project(tmp_path))
    figures = config.reports_dir / "figures"
    figures.mkdir(parents=True)
    (figures / "cost_curve.png").write_bytes(b"from an earlier two-class run")
    (figures / "notes.png").write_bytes(b"the owner's own")
    assert main(["--config", str(config.path), "run"]) == 0
    assert {p.name for p in figures.glob("*.png")} == ALWAYS | {"notes.png"}


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


def test_cli_names_an_unmapped_label_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = topics_project(tmp_path)
    config.write_text(
        config.read_text(encoding="utf-8").replace('drop = ["9"]', "drop = []"), encoding="utf-8"
    )
    assert main(["--config", str(config), "train"]) == 1
    err = capsys.readouterr().err
    assert "label '9' (6 rows" in err and "[labels.map]" in err
    assert len(err.strip().splitlines()) == 1


def test_cli_evaluate_prints_a_summary(
    sample_config, trained, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--config", str(sample_config.path), "evaluate"]) == 0
    assert "macro-F1" in capsys.readouterr().out


def test_cli_data_without_a_download_section_says_so(
    config: Config, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--config", str(config.path), "data"]) == 1
    assert "no [download] section" in capsys.readouterr().err
