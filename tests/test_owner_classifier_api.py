"""classifier-api made its owner's own: their set-up, their data, their narrative, still green.

An owner generates the project for their domain, runs its documented `make setup` in a fresh
environment, points `params.yaml` at an export of their own (a semicolon file with a
byte-order mark and decimal commas, other column names, labels and size than the bundled
sample), edits nothing else, and runs `make all`, `make test` and `make lint`. They write the
narrative, commit, and `portfolio check --strict` finds nothing left to do. The README's
example request then matches the new data and is answered by the real server, and no word
of the bundled sample survives outside `data/sample/` and the tests.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from portfolio.check import check_project
from tests.conftest import _isolate_git, generate
from tests.owner import (
    OwnedProject,
    commit_all,
    owner_environment,
    set_up_as_owner,
    write_narrative,
)
from tests.serving import free_port, wait_until_healthy
from tests.test_classifier_api_shapes import CHURN_FEATURES, block, write_churn_export

pytestmark = pytest.mark.slow

ANSWERS = {
    "project_name": "Subscriber Churn Early Warning",
    "description": "Flags the subscribers most likely to cancel next month, so that retention "
    "calls reach them first.",
    "author_name": "Ada Owner",
    "author_email": "ada@example.org",
    "github_username": "ada-owner",
}
# What the owner edits in params.yaml, key by key, keeping the file's comments.
EDITS: dict[str, Any] = {
    "data.path": "data/raw/subscribers.csv",
    "target": "Churn",
    "positive_label": "Yes",
    "positive_name": "churners",
    "negative_name": "loyal subscribers",
    "case_name": "subscribers",
    "categorical_columns": ["SeniorCitizen"],
    "subgroup_columns": ["gender", "SeniorCitizen"],
    "value_labels": {"SeniorCitizen": {"0": "under 65", "1": "65 or over"}},
    "costs.false_positive": 15,
    "costs.false_negative": 240,
    "cases_per_period": 50000,
}
NARRATIVE = (
    "Written by the owner: the retention team calls the subscribers this model flags each "
    "month, and a missed churner costs a year of revenue."
)
JSON = {"content-type": "application/json"}
# The bundled sample's story and column names: none may survive a switch to other data.
SAMPLE_WORDS = re.compile(
    r"diabet|patient|progression|progressor|cholesterol|triglyceride|blood_sugar|"
    r"blood_pressure|\bbmi\b|\bldl\b|\bhdl\b|efron|\bsex\b",
    re.IGNORECASE,
)


def _set_value(text: str, dotted: str, value: Any) -> str:
    """Replace one key's value in the YAML text, keeping its comment, as an owner edits it."""
    *parents, key = dotted.split(".")
    indent = ""
    start = 0
    for parent in parents:
        found = re.compile(rf"^{indent}{re.escape(parent)}:\s*(#.*)?$", re.M).search(text, start)
        assert found, f"no section {parent!r} in params.yaml"
        start, indent = found.end(), indent + "  "
    line = re.compile(rf"^({indent}{re.escape(key)}:)[ \t]*([^#\n]*?)([ \t]*#.*)?$", re.M)
    found = line.search(text, start)
    assert found, f"no key {dotted!r} in params.yaml"
    # JSON is YAML: a quoted string, a flow list or mapping, a number.
    replacement = f"{found.group(1)} {json.dumps(value)}{found.group(3) or ''}"
    return text[: found.start()] + replacement + text[found.end() :]


@dataclass(frozen=True)
class Journey:
    """The owned project after the whole journey, and what each step left behind."""

    owned: OwnedProject
    readme_before_narrative: str
    replaced: int


@pytest.fixture(scope="module")
def journey(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Journey]:
    with pytest.MonkeyPatch.context() as patch:
        _isolate_git(patch, tmp_path_factory.mktemp("owner-home"))
        project = generate("classifier-api", tmp_path_factory.mktemp("owner"), **ANSWERS).path
        owned = set_up_as_owner(project)
        write_churn_export(project / "data" / "raw" / "subscribers.csv", rows=1500, seed=5)
        config = project / "params.yaml"
        text = config.read_text(encoding="utf-8")
        for key, value in EDITS.items():
            text = _set_value(text, key, value)
        config.write_text(text, encoding="utf-8")
        owned.make("all")
        owned.make("test")
        owned.make("lint")
        readme = (project / "README.md").read_text(encoding="utf-8")
        replaced = write_narrative(project, NARRATIVE)
        commit_all(project, "Point the project at our subscriber data and tell its story")
        yield Journey(owned, readme, replaced)


def test_only_params_yaml_changed_besides_the_documents(journey: Journey) -> None:
    changed = journey.owned.run("git", "diff", "--name-only", "HEAD~1").stdout.split()
    code_and_config = [n for n in changed if not n.endswith(".md") and not n.startswith("reports/")]
    assert code_and_config == ["params.yaml"]


def test_the_suite_stays_green_after_the_narrative_is_written(journey: Journey) -> None:
    assert journey.replaced > 0
    journey.owned.make("test")


def test_check_strict_finds_nothing_left_to_do(journey: Journey) -> None:
    report = check_project(journey.owned.path, strict=True)
    assert [f"{f.rule}: {f.message}" for f in report.findings] == []
    assert report.ready and report.score == 100


def test_the_readme_example_request_matches_the_new_data(journey: Journey) -> None:
    body = re.search(r"-d '(\{.*\})'", block(journey.readme_before_narrative, "api"))
    assert body is not None
    assert set(json.loads(body.group(1))) == CHURN_FEATURES


def test_no_word_of_the_bundled_sample_survives(journey: Journey) -> None:
    project = journey.owned.path
    tracked = journey.owned.run("git", "ls-files").stdout.split()
    found = []
    for name in tracked:
        if name.startswith(("data/sample/", "tests/")):
            continue
        try:
            text = (project / name).read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # figures
        found += [f"{name}: {m.group(0)}" for m in SAMPLE_WORDS.finditer(text)]
    assert found == []


def test_the_served_api_answers_the_readme_example(journey: Journey) -> None:
    project = journey.owned.path
    example = re.search(r"-d '(\{.*\})'", block(journey.readme_before_narrative, "api"))
    assert example is not None
    port = free_port()
    package = project.name.replace("-", "_")
    server = subprocess.Popen(
        [str(journey.owned.python), "-m", "uvicorn", "--factory", f"{package}.api:create_app"]
        + ["--host", "127.0.0.1", "--port", str(port)],
        cwd=project,
        env=owner_environment(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            wait_until_healthy(client, server, seconds=60, why=lambda: "(output discarded)")
            answer = client.post("/predict", content=example.group(1), headers=JSON)
            assert answer.status_code == 200 and 0 <= answer.json()["probability"] <= 1
            record = json.loads(example.group(1))
            non_finite = json.dumps(record | {"tenure": "x"}).replace('"x"', "NaN")
            answer = client.post("/predict", content=non_finite, headers=JSON)
            assert answer.status_code == 422
            assert answer.json()["detail"][0]["loc"] == ["body", "tenure"]
            by_code = client.post("/predict", json=record | {"SeniorCitizen": "1"})
            assert by_code.status_code == 200
    finally:
        server.terminate()
        server.wait(timeout=30)
