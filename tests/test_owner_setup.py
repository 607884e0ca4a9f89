"""Each generated project sets itself up with its own documented command, in a fresh environment.

Nothing of this repository's environment is used: ``make setup`` builds the project's ``.venv``
from its own ``pyproject.toml``, and the project's suite then runs in it, once with the newest
versions its dependencies allow and once with the lowest versions of each direct dependency, so
the minimums it declares are proven rather than hoped.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import TEMPLATES, generate
from tests.owner import set_up_as_owner

pytestmark = pytest.mark.slow

COMMON_TARGETS = ("help", "setup", "test", "lint", "format")
_HELP_LINE = re.compile(r"^  (?P<target>[a-z][a-z-]*) +\S", re.M)


def _readme_setup_command(project: Path) -> str:
    readme = (project / "README.md").read_text(encoding="utf-8")
    first_command = re.search(r"^(?:    |\t)(make \w+)", readme, re.M)
    assert first_command, "the README shows no make command"
    return first_command.group(1)


@pytest.mark.parametrize("template", TEMPLATES)
def test_the_readme_starts_with_the_setup_command(template: str, tmp_path: Path) -> None:
    project = generate(template, tmp_path, init_git=False).path
    assert _readme_setup_command(project) == "make setup"


@pytest.mark.parametrize("template", TEMPLATES)
def test_setup_then_help_lists_every_target_the_same_way(template: str, tmp_path: Path) -> None:
    project = generate(template, tmp_path).path
    owned = set_up_as_owner(project)
    listed = _HELP_LINE.findall(owned.make("help").stdout)
    assert tuple(listed[: len(COMMON_TARGETS)]) == COMMON_TARGETS
    assert "all" in listed
    owned.make("lint")
    status = owned.run("git", "status", "--porcelain").stdout
    assert status == "", f"set-up left files git would commit:\n{status}"


@pytest.mark.parametrize("resolution", ["highest", "lowest-direct"])
@pytest.mark.parametrize("template", TEMPLATES)
def test_the_suite_passes_in_the_projects_own_environment(
    template: str, resolution: str, tmp_path: Path
) -> None:
    project = generate(template, tmp_path, init_git=False).path
    owned = set_up_as_owner(project, resolution=resolution)
    owned.make("test")
