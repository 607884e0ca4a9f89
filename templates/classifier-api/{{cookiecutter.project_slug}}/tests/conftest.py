"""Shared fixtures: a copy of the project trained once per test session, in a temporary folder.

The pipeline runs on the bundled sample with fewer folds and resamples than ``params.yaml``
asks for, so the whole suite stays fast; the code paths are the same.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from {{ cookiecutter.__package }} import data, evaluate, report, train
from {{ cookiecutter.__package }}.config import Config, load_config

PROJECT = Path(__file__).resolve().parents[1]
DOCUMENTS = ("README.md", "MODEL_CARD.md", "docs/decisions/0001-threshold-by-cost.md")


def write_config(root: Path, **changes: Any) -> Path:
    """Copy the project's params.yaml into ``root`` with top-level or dotted keys changed."""
    values = yaml.safe_load((PROJECT / "params.yaml").read_text(encoding="utf-8"))
    values["data"]["path"] = str(PROJECT / "data" / "sample" / "diabetes.csv")
    for key, value in changes.items():
        *parents, last = key.split("__")
        target = values
        for parent in parents:
            target = target.setdefault(parent, {})
        target[last] = value
    path = root / "params.yaml"
    path.write_text(yaml.safe_dump(values), encoding="utf-8")
    return path


@dataclass
class TrainedProject:
    """A project copy after the whole pipeline, and which splits each stage read."""

    config: Config
    reads: dict[str, list[str]]

    @property
    def root(self) -> Path:
        return self.config.paths.root


@pytest.fixture(scope="session")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TrainedProject]:
    root = tmp_path_factory.mktemp("project")
    for name in DOCUMENTS:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(PROJECT / name, root / name)
    config = load_config(write_config(root, model__cv_folds=3, evaluation__bootstrap_resamples=200))
    reads: dict[str, list[str]] = {}
    original = data.load_split

    def spy(stage: str) -> Callable[[Config, str], Any]:
        def load(config: Config, name: str) -> Any:
            reads.setdefault(stage, []).append(name)
            return original(config, name)

        return load

    with pytest.MonkeyPatch.context() as patch:
        data.run(config)
        patch.setattr(train, "load_split", spy("train"))
        train.train(config)
        patch.setattr(evaluate, "load_split", spy("evaluate"))
        evaluate.evaluate(config)
        report.report(config)
    yield TrainedProject(config, reads)
