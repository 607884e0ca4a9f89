"""Shared fixtures: the tests' own config, and a project copy trained once per session.

Every test reads ``tests/fixtures/params.yaml`` (the bundled sample, with fewer folds and
resamples than a real run), never the project's ``params.yaml``: the owner points that at
their own data, and the tests must stay green when they do.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from {{ cookiecutter.__package }} import (
    data,
    evaluate,
    report,
    train,
)
from {{ cookiecutter.__package }}.config import (
    Config,
    load_config,
)

PROJECT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SAMPLE = PROJECT / "data" / "sample" / "diabetes.csv"
DOCUMENTS = (
    "README.md",
    "MODEL_CARD.md",
    "docs/datasheet.md",
    "docs/decisions/0001-threshold-by-cost.md",
)


def fixture_values() -> dict[str, Any]:
    """Return the tests' config as a dict, its data path made absolute."""
    values: dict[str, Any] = yaml.safe_load((FIXTURES / "params.yaml").read_text(encoding="utf-8"))
    values["data"]["path"] = str(PROJECT / values["data"]["path"])
    return values


def write_config(root: Path, **changes: Any) -> Path:
    """Write the tests' config into ``root`` with top-level or ``a__b`` nested keys changed."""
    values = fixture_values()
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
    config = load_config(write_config(root))
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
