import json
from pathlib import Path

import pytest

from {{ cookiecutter.__package }}.provenance import (
    PROVENANCE_FILE,
    block_contents,
    code_files,
    record_provenance,
    stale_inputs,
)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "src" / "pkg").mkdir(parents=True)
    (tmp_path / "src" / "pkg" / "train.py").write_text("x = 1\n", encoding="utf-8")
    (tmp_path / "config.yaml").write_text("seed: 1\n", encoding="utf-8")
    return tmp_path


def test_fresh_results_have_no_stale_inputs(project: Path) -> None:
    record_provenance(project, [project / "config.yaml", *code_files(project)])
    assert stale_inputs(project) == []


def test_recorded_names_are_relative_and_hashed(project: Path) -> None:
    record_provenance(project, [project / "config.yaml", *code_files(project)])
    data = json.loads((project / PROVENANCE_FILE).read_text(encoding="utf-8"))
    assert sorted(data["inputs"]) == ["config.yaml", "src/pkg/train.py"]
    # sha256 of b"seed: 1\n", computed once by hand with `printf 'seed: 1\n' | sha256sum`.
    assert data["inputs"]["config.yaml"] == (
        "adf0396d435b4047092c20dada268d22d8db7f192fe2a8a9a283c9e9dea6af54"
    )


def test_changed_config_makes_results_stale(project: Path) -> None:
    record_provenance(project, [project / "config.yaml", *code_files(project)])
    (project / "config.yaml").write_text("seed: 2\n", encoding="utf-8")
    assert stale_inputs(project) == ["config.yaml"]


def test_deleted_code_makes_results_stale(project: Path) -> None:
    record_provenance(project, [project / "config.yaml", *code_files(project)])
    (project / "src" / "pkg" / "train.py").unlink()
    assert stale_inputs(project) == ["src/pkg/train.py"]


def test_no_provenance_means_no_report_yet(project: Path) -> None:
    with pytest.raises(FileNotFoundError):
        stale_inputs(project)


def test_block_contents_reads_each_block_trimmed() -> None:
    text = "intro\n<!-- portfolio:results:start -->\n\n| a |\n\n<!-- portfolio:results:end -->\n"
    assert block_contents(text) == {"results": "| a |"}


def test_outputs_and_document_blocks_are_fingerprinted(project: Path) -> None:
    readme = project / "README.md"
    readme.write_text(
        "<!-- portfolio:results:start -->\nAUC 0.9\n<!-- portfolio:results:end -->\n",
        encoding="utf-8",
    )
    metrics = project / "metrics.json"
    metrics.write_text("{}\n", encoding="utf-8")
    record_provenance(project, [project / "config.yaml"], [metrics], [readme])
    data = json.loads((project / PROVENANCE_FILE).read_text(encoding="utf-8"))
    # sha256 of b"AUC 0.9" and of b"{}\n", from `printf` piped to sha256sum.
    assert data["blocks"] == {
        "README.md": {"results": "e8d22293d511f492fbcf094b9045e03847c9fedd730b38c99a101ba7f353e751"}
    }
    assert data["outputs"] == {
        "metrics.json": "ca3d163bab055381827226140568f3bef7eaac187cebd76878e0b63e9e442356"
    }
