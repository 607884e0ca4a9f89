"""`portfolio check` on real generated projects: fresh, after `make all`, filled, and stale."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from portfolio.check import PLACEHOLDER, check_project
from tests.conftest import TEMPLATES, generate, run_in_project

pytestmark = pytest.mark.slow

FILLED = "Filled in by the test with a sentence long enough to read as real prose"


def _git(project: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=project, check=True, capture_output=True)


def _fill_placeholders(project: Path) -> int:
    """Write something where every placeholder is, as a user would; return how many."""
    filled = 0
    for path in project.rglob("*"):
        if not path.is_file() or ".git" in path.parts or "tests" in path.parts:
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        if PLACEHOLDER in text:
            filled += text.count(PLACEHOLDER)
            path.write_text(text.replace(PLACEHOLDER, FILLED), encoding="utf-8")
    return filled


def _rules(project: Path) -> dict[str, list[str]]:
    report = check_project(project)
    return {r.rule: [f.message for f in r.findings] for r in report.results}


@pytest.mark.parametrize("template", TEMPLATES)
def test_check_follows_a_project_from_generated_to_ready(template: str, tmp_path: Path) -> None:
    project = generate(template, tmp_path).path

    fresh = _rules(project)
    assert fresh["placeholders"], "a fresh project has narrative placeholders to fill"
    assert any("results missing" in m for m in fresh["results"])
    assert fresh["hygiene"] == [] and fresh["secrets"] == [] and fresh["git"] == []

    run_in_project(project, "make", "all", f"PYTHON={sys.executable}")
    computed = check_project(project)
    assert computed.story_unwritten and computed.score <= 50, "numbers without the story"
    sample = [f.message for f in computed.findings if f.rule == "data"]
    assert len(sample) == 1 and sample[0].startswith("results still come from the bundled sample")

    placeholders = [f for f in computed.findings if f.rule == "placeholders"]
    assert not any(f.file and f.file.startswith("tests/") for f in placeholders)
    assert _fill_placeholders(project) >= len(placeholders)
    run_in_project(project, "make", "all", f"PYTHON={sys.executable}")
    after = _rules(project)
    assert after["results"] == [] and after["freshness"] == []
    assert after["placeholders"] == [] and after["readme"] == []

    _git(project, "add", "-A")
    _git(project, "commit", "-q", "-m", "Fill the narrative and compute the results")
    report = check_project(project, strict=True)
    # On the bundled sample the one thing left is to bring real data: a warning.
    assert [f.rule for f in report.findings] == ["data"]
    assert not report.ready and check_project(project).ready
    assert report.score == 99

    config = next(
        p
        for p in (project / n for n in ("params.yaml", "config.toml", "config.yaml"))
        if p.is_file()
    )
    config.write_text(
        config.read_text(encoding="utf-8") + "\n# changed after the report\n", encoding="utf-8"
    )
    stale = _rules(project)["freshness"]
    assert stale == [f"results are older than {config.name}"]
