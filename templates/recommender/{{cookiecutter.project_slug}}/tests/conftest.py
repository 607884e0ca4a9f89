"""Shared fixtures: a small synthetic dataset and one pipeline run on it for the whole session."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from {{ cookiecutter.__package }}.config import Config, load_config
from {{ cookiecutter.__package }}.synthetic import SampleShape, generate_sample

ROOT = Path(__file__).resolve().parents[1]
SMALL = SampleShape(n_users=150, n_items=90, n_clusters=4, n_communities=8, median_interactions=14)
DOCUMENTS = ("README.md", "MODEL_CARD.md", "docs/tradeoffs.md")


def write_config(folder: Path, interactions: Path, items: Path | None, extra: str = "") -> Path:
    """Write a config.toml for ``folder`` that reads the given files; return its path."""
    items_line = f'items = "{items.as_posix()}"' if items else 'items = ""'
    text = (
        "seed = 3\n"
        "[data]\n"
        f'interactions = "{interactions.as_posix()}"\n'
        f"{items_line}\n"
        "[evaluation]\n"
        "bootstrap_resamples = 200\n"
        f"{extra}"
    )
    path = folder / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def small_sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A small synthetic sample written as CSV, in the same format as data/sample."""
    folder = tmp_path_factory.mktemp("sample")
    interactions, items = generate_sample(seed=3, shape=SMALL)
    interactions.to_csv(folder / "interactions.csv", index=False)
    items.to_csv(folder / "items.csv", index=False)
    return folder / "interactions.csv", folder / "items.csv"


@pytest.fixture
def small_config(tmp_path: Path, small_sample: tuple[Path, Path]) -> Config:
    """A configuration for a fresh project folder that reads the small sample."""
    return load_config(write_config(tmp_path, *small_sample))


@dataclass(frozen=True)
class PipelineRun:
    """A project folder where the whole pipeline has run once."""

    config: Config
    metrics: dict[str, object]


@pytest.fixture(scope="session")
def pipeline_run(
    tmp_path_factory: pytest.TempPathFactory, small_sample: tuple[Path, Path]
) -> PipelineRun:
    """Run prepare, train, evaluate and report once on the small sample, in a copy of the docs."""
    from {{ cookiecutter.__package }}.evaluate import evaluate
    from {{ cookiecutter.__package }}.prepare import prepare
    from {{ cookiecutter.__package }}.report import report
    from {{ cookiecutter.__package }}.train import train

    folder = tmp_path_factory.mktemp("project")
    for name in DOCUMENTS:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / name, folder / name)
    config = load_config(write_config(folder, *small_sample))
    prepare(config)
    train(config)
    metrics = evaluate(config)
    report(config)
    return PipelineRun(config, metrics)
