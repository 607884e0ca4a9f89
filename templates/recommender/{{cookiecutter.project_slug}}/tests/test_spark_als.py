"""The Spark route's checks and bookkeeping, which need neither pyspark nor Java.

Spark itself is exercised by the portfolio tool's own test, which sets a generated project up
with ``make setup EXTRAS=spark`` and runs ``make spark`` in local mode; these tests keep the
project's suite free of the optional extra.
"""

from __future__ import annotations

import sys
import types
from pathlib import Path

import numpy as np
import pytest

from {{ cookiecutter.__package }}.config import Config, load_config
from {{ cookiecutter.__package }}.prepare import load_dataset, prepare
from {{ cookiecutter.__package }}.spark_als import (
    JAVA_FIX,
    SETUP_FIX,
    ALSSettings,
    SparkUnavailableError,
    candidate_counts,
    choose_feedback,
    main,
    require_spark,
    training_rows,
)

from tests.conftest import write_config


@pytest.fixture
def pyspark_absent(monkeypatch: pytest.MonkeyPatch) -> None:
    # None in sys.modules makes `import pyspark` raise ImportError, installed or not.
    monkeypatch.setitem(sys.modules, "pyspark", None)


@pytest.fixture
def pyspark_present(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyspark", types.ModuleType("pyspark"))


def _fake_java(folder: Path, banner: str) -> Path:
    """A JAVA_HOME whose bin/java prints ``banner`` as ``java -version`` does (on stderr)."""
    java = folder / "bin" / "java"
    java.parent.mkdir(parents=True)
    java.write_text(f"#!/bin/sh\necho '{banner}' >&2\n", encoding="utf-8")
    java.chmod(0o755)
    return folder


@pytest.mark.usefixtures("pyspark_absent")
def test_missing_pyspark_names_the_setup_command() -> None:
    with pytest.raises(SparkUnavailableError) as raised:
        require_spark()

    message = str(raised.value)
    assert "pyspark is not installed" in message
    assert f"`{SETUP_FIX}`" in message
    assert "\n" not in message


@pytest.mark.usefixtures("pyspark_absent")
def test_the_command_line_exits_1_with_one_line_when_pyspark_is_missing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--config", str(write_config(tmp_path))]) == 1

    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert captured.err.startswith("error: pyspark is not installed")
    assert SETUP_FIX in captured.err
    assert not (tmp_path / "reports").exists()


@pytest.mark.usefixtures("pyspark_present")
def test_missing_java_names_the_package_that_installs_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))

    with pytest.raises(SparkUnavailableError, match="no `java` on PATH") as raised:
        require_spark()

    assert f"`{JAVA_FIX}`" in str(raised.value)


@pytest.mark.usefixtures("pyspark_present")
@pytest.mark.parametrize(
    ("banner", "major"),
    [('openjdk version "11.0.2" 2019-01-15', 11), ('java version "1.8.0_402"', 8)],
)
def test_a_java_older_than_17_is_refused_with_its_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, banner: str, major: int
) -> None:
    monkeypatch.setenv("JAVA_HOME", str(_fake_java(tmp_path, banner)))

    with pytest.raises(SparkUnavailableError, match=f"is Java {major}:") as raised:
        require_spark()

    assert JAVA_FIX in str(raised.value)


@pytest.mark.usefixtures("pyspark_present")
def test_java_17_passes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "JAVA_HOME", str(_fake_java(tmp_path, 'openjdk version "17.0.15" 2025-04-15'))
    )

    require_spark()


def test_candidates_leave_k_unseen_items_and_ask_for_at_most_twice_the_seen() -> None:
    seen = np.array([0, 1, 3, 4, 5, 100])

    counts = candidate_counts(seen, 10)

    assert counts.tolist() == [10, 11, 14, 14, 18, 138]
    assert (counts >= 10 + seen).all()
    assert (counts <= 10 + 2 * seen).all()


def test_spark_trains_on_exactly_what_the_test_evaluation_models_learn_from(
    small_config: Config,
) -> None:
    prepare(small_config)
    dataset = load_dataset(small_config)
    fit = dataset.phase("test").fit.tocoo()

    rows = training_rows(dataset, "implicit")

    learned = set(zip(rows["user"].tolist(), rows["item"].tolist(), strict=True))
    assert learned == set(zip(fit.row.tolist(), fit.col.tolist(), strict=True))
    assert len(rows) == fit.nnz
    assert (rows["rating"] == 1.0).all()


def test_explicit_feedback_keeps_the_ratings(small_config: Config) -> None:
    prepare(small_config)
    dataset = load_dataset(small_config)

    rows = training_rows(dataset, "explicit")

    learned = dataset.interactions[
        (dataset.interactions["period"] != "test") & ~dataset.interactions["withheld"]
    ]
    assert sorted(rows["rating"].tolist()) == sorted(learned["rating"].astype("float32").tolist())


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({}, "explicit"),
        ({"data": {"relevance_threshold": 4}}, "implicit"),
        ({"data": {"interactions": {"columns": {"rating": ""}}}}, "implicit"),
    ],
)
def test_feedback_is_implicit_unless_ratings_are_kept_as_ratings(
    tmp_path: Path, small_sample: Path, overrides: dict, expected: str
) -> None:
    config = load_config(write_config(tmp_path, overrides, data_dir=small_sample))
    prepare(config)

    assert choose_feedback(config, ALSSettings()) == expected
    assert choose_feedback(config, ALSSettings(feedback="implicit")) == "implicit"
