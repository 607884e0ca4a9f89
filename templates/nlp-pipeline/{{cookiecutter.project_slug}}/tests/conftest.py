"""Fixtures: one pipeline run on each of the tests' own corpora (see corpora.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from corpora import binary_project, topics_project

from {{ cookiecutter.__package }}.config import Config, load_config
from {{ cookiecutter.__package }}.evaluate import Evaluation, evaluate
from {{ cookiecutter.__package }}.report import write_report
from {{ cookiecutter.__package }}.train import TrainResult, train


@pytest.fixture
def config(tmp_path: Path) -> Config:
    """The two-class fixture configuration, in a fresh folder of its own."""
    return load_config(binary_project(tmp_path))


@pytest.fixture(scope="session")
def sample_config(tmp_path_factory: pytest.TempPathFactory) -> Config:
    """The two-class fixture configuration, in a folder shared by the session's run."""
    return load_config(binary_project(tmp_path_factory.mktemp("binary")))


@pytest.fixture(scope="session")
def trained(sample_config: Config) -> TrainResult:
    """The pipeline trained once on the two-class fixture, for every test that needs a model."""
    return train(sample_config)


@pytest.fixture(scope="session")
def evaluation(sample_config: Config, trained: TrainResult) -> Evaluation:
    """The trained model evaluated once on the fixture's test set."""
    return evaluate(sample_config)


@pytest.fixture(scope="session")
def reported(sample_config: Config, evaluation: Evaluation) -> list[Path]:
    """The report written once into the fixture's documents; returns those it updated."""
    return write_report(sample_config, evaluation)


@pytest.fixture(scope="session")
def topics_config(tmp_path_factory: pytest.TempPathFactory) -> Config:
    """The three-class ticket configuration, in a folder shared by the session's run."""
    return load_config(topics_project(tmp_path_factory.mktemp("topics")))


@pytest.fixture(scope="session")
def topics_evaluation(topics_config: Config) -> Evaluation:
    """The pipeline trained and evaluated once on the three-class tickets."""
    train(topics_config)
    return evaluate(topics_config)


@pytest.fixture(scope="session")
def topics_reported(topics_config: Config, topics_evaluation: Evaluation) -> list[Path]:
    """The report written once for the three-class tickets."""
    return write_report(topics_config, topics_evaluation)
