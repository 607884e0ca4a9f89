"""A long project name (and the longest slug) leaves classifier-api's source lint-clean.

The API's title used to be written into ``api.py`` as a string literal, so a name of 91-94
characters pushed the line past ruff's limit and ``ruff format --check`` failed in the
generated project. The title is now read at run time from ``project.json``; the tests import
the package in the exploded form that keeps its line length whatever the package's name.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import generate, run_in_project

# 94 characters, with the quotes and backslash that break naive escaping.
LONG_NAME = (
    'The "Early Default" Warning \\ for Small-Business Loans, Scored per Applicant in Real Time!'
)
LONG_NAME += "." * (94 - len(LONG_NAME))
# The longest slug the tool accepts (64 characters), so the package name is as long as it gets.
LONG_SLUG = "early-default-warning-for-small-business-loans-scored-in-real-ti"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    assert len(LONG_NAME) == 94 and len(LONG_SLUG) == 64
    folder = tmp_path_factory.mktemp("long")
    return generate(
        "classifier-api", folder, init_git=False, project_name=LONG_NAME, project_slug=LONG_SLUG
    ).path


def test_the_generated_source_is_lint_clean(project: Path) -> None:
    run_in_project(project, sys.executable, "-m", "ruff", "check", "--no-cache", ".")
    run_in_project(project, sys.executable, "-m", "ruff", "format", "--check", "--no-cache", ".")


def test_the_api_title_is_the_whole_name(project: Path) -> None:
    package = LONG_SLUG.replace("-", "_")
    script = f"from {package}.api import create_app; print(create_app().title)"
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=project,
        env={"PYTHONPATH": str(project / "src"), "PATH": str(Path(sys.executable).parent)},
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert result.stdout.rstrip("\n") == LONG_NAME
    source = (project / "src" / package / "api.py").read_text(encoding="utf-8")
    assert "Early Default" not in source
    assert json.loads((project / "src" / package / "project.json").read_text())["name"] == LONG_NAME
