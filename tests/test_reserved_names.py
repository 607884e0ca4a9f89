"""Slugs that would shadow one of the generated projects' dependencies are refused.

The shipped list is checked against the dependency closure recomputed here, from whatever the
templates' pyproject files say today and the metadata of the distributions installed.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest
from click.testing import CliRunner

from portfolio.answers import reserved_names, slug_problem
from portfolio.cli import main
from tests.conftest import REPO_ROOT


def _script() -> ModuleType:
    path = REPO_ROOT / "scripts" / "update_reserved_names.py"
    spec = importlib.util.spec_from_file_location("update_reserved_names", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def computed() -> set[str]:
    names: set[str] = _script().reserved_names()
    return names


def test_the_shipped_list_holds_every_name_of_the_dependency_closure(computed: set[str]) -> None:
    lacking = sorted(computed - reserved_names())
    assert lacking == [], (
        f"src/portfolio/reserved_names.txt lacks {lacking}: run "
        "`python scripts/update_reserved_names.py` and commit the result"
    )


def test_the_closure_reaches_transitive_and_dev_dependencies(computed: set[str]) -> None:
    # threadpoolctl comes through scikit-learn, pyarrow is direct, hypothesis is a dev extra.
    assert {"threadpoolctl", "pyarrow", "hypothesis", "sklearn", "yaml"} <= computed


def test_an_uninstalled_dependency_is_an_error_not_a_silent_gap() -> None:
    script = _script()
    with pytest.raises(script.NotInstalledError, match="no-such-distribution-here"):
        script.closure(["numpy>=2", "no-such-distribution-here>=1"])


@pytest.mark.parametrize("slug", ["threadpoolctl", "pyarrow", "hypothesis", "markdown-it"])
def test_a_dependency_name_is_refused_before_anything_is_written(tmp_path: Path, slug: str) -> None:
    assert slug_problem(slug) == (
        f"{slug.replace('-', '_')!r} would shadow a package the project depends on"
    )
    result = CliRunner().invoke(
        main,
        ["new", "recommender", "--no-input", "-o", str(tmp_path), "--set", f"project_slug={slug}"],
    )
    assert result.exit_code == 2
    assert f"--set project_slug={slug}-project" in result.stderr
    assert list(tmp_path.iterdir()) == []
