"""Each template, generated for real, passes its own test suite, lint and pipeline."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import TEMPLATES, run_in_project

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("template", TEMPLATES)
def test_generated_project_passes_its_own_tests(
    generated: Callable[[str], Path], template: str
) -> None:
    run_in_project(
        generated(template), sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"
    )


@pytest.mark.parametrize("template", TEMPLATES)
def test_generated_project_is_lint_clean(generated: Callable[[str], Path], template: str) -> None:
    project = generated(template)
    run_in_project(project, sys.executable, "-m", "ruff", "check", "--no-cache", ".")
    run_in_project(project, sys.executable, "-m", "ruff", "format", "--check", "--no-cache", ".")


@pytest.mark.parametrize("template", TEMPLATES)
def test_make_all_runs_the_pipeline_offline(
    generated: Callable[[str], Path], template: str
) -> None:
    run_in_project(generated(template), "make", "all", f"PYTHON={sys.executable}")
