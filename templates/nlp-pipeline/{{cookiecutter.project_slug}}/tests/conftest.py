"""Fixtures: the project's own configuration, and one pipeline run on the bundled sample."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from {{ cookiecutter.__package }}.config import Config, load_config
from {{ cookiecutter.__package }}.evaluate import Evaluation, evaluate
from {{ cookiecutter.__package }}.report import write_report
from {{ cookiecutter.__package }}.train import TrainResult, train

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def config() -> Config:
    """The shipped configuration, unchanged."""
    return load_config(ROOT / "config.toml")


@pytest.fixture(scope="session")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the project's config, documents and sample: a run never touches the real ones."""
    root = tmp_path_factory.mktemp("project")
    for name in ("config.toml", "README.md", "MODEL_CARD.md"):
        shutil.copy(ROOT / name, root / name)
    shutil.copytree(ROOT / "docs", root / "docs")
    shutil.copytree(ROOT / "data" / "sample", root / "data" / "sample")
    return root


@pytest.fixture(scope="session")
def sample_config(project: Path) -> Config:
    """The shipped configuration, in the copy."""
    return load_config(project / "config.toml")


@pytest.fixture(scope="session")
def trained(sample_config: Config) -> TrainResult:
    """The pipeline trained once on the bundled sample, for every test that needs a model."""
    return train(sample_config)


@pytest.fixture(scope="session")
def evaluation(sample_config: Config, trained: TrainResult) -> Evaluation:
    """The trained model evaluated once on the sample's test set."""
    return evaluate(sample_config)


@pytest.fixture(scope="session")
def reported(sample_config: Config, evaluation: Evaluation) -> list[Path]:
    """The report written once into the copy; returns the documents it updated."""
    return write_report(sample_config, evaluation)
