"""Shared fixtures: the tests' own config and a small synthetic dataset, never the owner's files.

Every test builds its project folder from ``tests/fixtures/config.toml`` and data written by
the project's own seeded generator, so nothing an owner changes (config.toml, the data it
points at, the README's narrative) can turn a test red.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from {{ cookiecutter.__package }}.config import Config, load_config
from {{ cookiecutter.__package }}.report import DOCUMENT_BLOCKS
from {{ cookiecutter.__package }}.synthetic import SampleShape, generate_sample

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SMALL = SampleShape(n_users=150, n_items=90, n_clusters=4, n_communities=8, median_interactions=14)
AUTHOR_TEXT = "Written by the author; the report must leave this line alone."
#: Deletes a key of the fixture config in ``write_config`` overrides.
DELETE = object()


def fixture_settings() -> dict[str, Any]:
    """The tests' own configuration, as a mapping."""
    return tomllib.loads((FIXTURES / "config.toml").read_text(encoding="utf-8"))


def merge(base: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """Return ``base`` with ``overrides`` merged in, table by table (``DELETE`` removes a key)."""
    merged = dict(base)
    for key, value in overrides.items():
        if value is DELETE:
            merged.pop(key, None)
        elif isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def to_toml(data: Mapping[str, Any], prefix: str = "") -> str:
    """Write a mapping of scalars, lists and tables as TOML (JSON strings are TOML strings)."""
    lines = [
        f"{key} = {json.dumps(value)}"
        for key, value in data.items()
        if not isinstance(value, Mapping)
    ]
    text = "\n".join(lines) + ("\n" if lines else "")
    for key, value in data.items():
        if isinstance(value, Mapping):
            name = f"{prefix}.{key}" if prefix else key
            text += f"\n[{name}]\n" + to_toml(value, name)
    return text


def write_config(
    folder: Path, overrides: Mapping[str, Any] | None = None, *, data_dir: Path | None = None
) -> Path:
    """Write the fixture config, with ``overrides``, into ``folder``; return its path.

    ``data_dir`` points both data files at a folder written by ``write_sample``.
    """
    settings = fixture_settings()
    if data_dir is not None:
        paths = {
            "interactions": {"path": (data_dir / "interactions.csv").as_posix()},
            "items": {"path": (data_dir / "items.csv").as_posix()},
        }
        settings = merge(settings, {"data": paths})
    settings = merge(settings, overrides or {})
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "config.toml"
    path.write_text(to_toml(settings), encoding="utf-8")
    return path


def write_sample(folder: Path, shape: SampleShape = SMALL) -> Path:
    """Write a small seeded sample (``interactions.csv``, ``items.csv``) into ``folder``."""
    interactions, items = generate_sample(seed=3, shape=shape)
    folder.mkdir(parents=True, exist_ok=True)
    interactions.to_csv(folder / "interactions.csv", index=False)
    items.to_csv(folder / "items.csv", index=False)
    return folder


def write_documents(folder: Path) -> list[Path]:
    """Write the documents the report rewrites, with the author's text around empty blocks."""
    paths = []
    for name, blocks in DOCUMENT_BLOCKS.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        body = "".join(
            f"\n{AUTHOR_TEXT}\n\n<!-- portfolio:{block}:start -->\n<!-- portfolio:{block}:end -->\n"
            for block in blocks
        )
        path.write_text(f"# {name}\n{body}\n{AUTHOR_TEXT}\n", encoding="utf-8")
        paths.append(path)
    return paths


@pytest.fixture(scope="session")
def small_sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder holding a small synthetic sample, written once per session."""
    return write_sample(tmp_path_factory.mktemp("sample"))


@pytest.fixture
def small_config(tmp_path: Path, small_sample: Path) -> Config:
    """A configuration for a fresh project folder that reads the small sample."""
    return load_config(write_config(tmp_path, data_dir=small_sample))


@dataclass(frozen=True)
class PipelineRun:
    """A project folder where the whole pipeline has run once."""

    config: Config
    metrics: dict[str, Any]


def run_pipeline(config: Config) -> dict[str, Any]:
    """Run prepare, train, evaluate and report in the config's folder; return metrics.json."""
    from {{ cookiecutter.__package }}.evaluate import evaluate
    from {{ cookiecutter.__package }}.prepare import prepare
    from {{ cookiecutter.__package }}.report import report
    from {{ cookiecutter.__package }}.train import train

    write_documents(config.root)
    prepare(config)
    train(config)
    evaluate(config)
    report(config)
    written = (config.reports_dir / "metrics.json").read_text(encoding="utf-8")
    metrics: dict[str, Any] = json.loads(written)
    return metrics


@pytest.fixture(scope="session")
def pipeline_run(tmp_path_factory: pytest.TempPathFactory, small_sample: Path) -> PipelineRun:
    """The whole pipeline, run once on the small sample with the fixture config."""
    config = load_config(write_config(tmp_path_factory.mktemp("project"), data_dir=small_sample))
    return PipelineRun(config, run_pipeline(config))
