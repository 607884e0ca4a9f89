"""`make report` reuses what `make evaluate` computed, and only while nothing it used changed."""

import os
from pathlib import Path

import numpy as np
import pytest
from corpora import binary_project

from {{ cookiecutter.__package }} import cli
from {{ cookiecutter.__package }}.config import load_config
from {{ cookiecutter.__package }}.persistence import MODEL_FILE
from {{ cookiecutter.__package }}.saved_evaluation import EVALUATION_FILE, load_evaluation


def _documents(root: Path) -> list[bytes]:
    paths = [root / "README.md", root / "reports" / "metrics.json"]
    paths += sorted((root / "reports" / "figures").glob("*.png"))
    return [path.read_bytes() for path in paths]


def test_report_after_evaluate_writes_what_a_fresh_evaluation_would(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = binary_project(tmp_path)
    config = load_config(path)
    for stage in ("train", "evaluate"):
        assert cli.main(["--config", str(path), stage]) == 0
    assert (config.models_dir / EVALUATION_FILE).is_file()
    with monkeypatch.context() as patched:

        def refuse(_config: object) -> None:
            raise AssertionError("the saved evaluation should have been used")

        patched.setattr(cli, "evaluate", refuse)
        assert cli.main(["--config", str(path), "report"]) == 0
    reused = _documents(tmp_path)
    (config.models_dir / EVALUATION_FILE).unlink()
    assert cli.main(["--config", str(path), "report"]) == 0
    assert _documents(tmp_path) == reused


def test_an_edited_config_or_a_retrained_model_is_evaluated_afresh(tmp_path: Path) -> None:
    path = binary_project(tmp_path)
    config = load_config(path)
    for stage in ("train", "evaluate"):
        assert cli.main(["--config", str(path), stage]) == 0
    saved = load_evaluation(config)
    assert saved is not None
    assert list(saved.predictions)[0] == "model"
    assert np.array_equal(saved.y_test.shape, [len(saved.test_texts)])
    original = path.read_text(encoding="utf-8")
    path.write_text(original + "\n# a price changed\n", encoding="utf-8")
    assert load_evaluation(config) is None
    path.write_text(original, encoding="utf-8")
    assert load_evaluation(config) is not None
    model = config.models_dir / MODEL_FILE
    later = model.stat().st_mtime_ns + 1_000_000_000
    os.utime(model, ns=(later, later))
    assert load_evaluation(config) is None
