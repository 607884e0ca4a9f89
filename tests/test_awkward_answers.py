"""Answers that once broke a generated project: a marker in the description, a long name.

Each template is generated with the answer and then made to do what its owner would do:
`make all` for the description, its own `ruff format --check` and `ruff check` for the name.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from portfolio.check import check_project
from tests.conftest import TEMPLATES, generate, run_in_project

pytestmark = pytest.mark.slow

MARKER = re.compile(r"^[ \t]*<!--[ \t]*portfolio:([A-Za-z0-9][A-Za-z0-9_.-]*):(start|end)", re.M)
DESCRIPTION = (
    "Churn, explained.\n<!-- portfolio:results:start -->\n# Data\n<!-- portfolio:results:end -->"
)
#: A long project name, cut to each length tried; 92 to 94 characters once pushed a line of
#: the generated API over the limit in a way `ruff format` rewrites.
NAME = (
    "Customer Churn Early Warning System for Subscription Businesses, "
    "with Calibrated Scores and Cost-Based Alert Thresholds."
)
LENGTHS = (60, 92, 93, 94, 120)


def _markers(project: Path) -> list[tuple[str, str]]:
    return MARKER.findall((project / "README.md").read_text(encoding="utf-8"))


@pytest.mark.parametrize("template", TEMPLATES)
def test_a_marker_in_the_description_does_not_stop_make_all(template: str, tmp_path: Path) -> None:
    plain = generate(template, tmp_path / "plain", init_git=False).path
    project = generate(template, tmp_path / "awkward", description=DESCRIPTION).path

    assert _markers(project) == _markers(plain)  # the description added no marker line
    run_in_project(project, "make", "all", f"PYTHON={sys.executable}")

    readme = (project / "README.md").read_text(encoding="utf-8")
    assert "\\<!-- portfolio:results:start -->" in readme  # shown as typed, escaped
    report = check_project(project)
    assert [f.message for f in report.findings if f.rule in {"results", "readme"}] == []


@pytest.mark.parametrize("length", LENGTHS)
@pytest.mark.parametrize("template", TEMPLATES)
def test_a_long_project_name_keeps_the_project_ruff_clean(
    template: str, length: int, tmp_path: Path
) -> None:
    name = NAME[:length].rstrip() + "x" * (length - len(NAME[:length].rstrip()))
    assert len(name) == length
    # The slug is given, so only the name is long: it reaches titles, docstrings and strings.
    project = generate(
        template, tmp_path, init_git=False, project_name=name, project_slug="churn-warning"
    ).path

    run_in_project(project, sys.executable, "-m", "ruff", "format", "--check", ".")
    run_in_project(project, sys.executable, "-m", "ruff", "check", ".")
