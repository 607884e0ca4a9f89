"""The recommender's bundled sample is what its seeded generator writes and its datasheet says.

These checks belong here rather than in the generated project's suite: the sample is the
template's, and an owner who replaces or deletes ``data/sample/`` must not see a red test.
"""

from __future__ import annotations

import csv
import re
import sys
from collections.abc import Callable
from pathlib import Path

from tests.conftest import run_in_project

SAMPLE_FILES = ("interactions.csv", "items.csv")


def test_make_sample_rewrites_the_committed_sample_byte_for_byte(
    generated: Callable[[str], Path],
) -> None:
    sample = generated("recommender") / "data" / "sample"
    committed = {name: (sample / name).read_bytes() for name in SAMPLE_FILES}

    run_in_project(sample.parents[1], "make", "sample", f"PYTHON={sys.executable}")

    assert {name: (sample / name).read_bytes() for name in SAMPLE_FILES} == committed


def test_the_datasheet_states_the_samples_true_size(generated: Callable[[str], Path]) -> None:
    sample = generated("recommender") / "data" / "sample"
    with (sample / "interactions.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    datasheet = (sample / "README.md").read_text(encoding="utf-8")

    stated = re.search(
        r"about ([\d,]+) ratings \(1 to 5\) of (\d+) films by (\d+) users", datasheet
    )

    assert stated, "the datasheet no longer states the sample's size"
    about, films, users = (int(group.replace(",", "")) for group in stated.groups())
    assert abs(len(rows) - about) / about < 0.05
    with (sample / "items.csv").open(encoding="utf-8") as handle:
        assert films == len(list(csv.DictReader(handle)))
    assert users == len({row["user_id"] for row in rows})
    assert {row["rating"] for row in rows} == {"1", "2", "3", "4", "5"}
