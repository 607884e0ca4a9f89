"""Work with a generated project the way its owner does, not the way this repository's tests can.

The defects that reached users hid behind tests that ran every generated project with this
repository's own virtual environment, which happens to hold every dependency. An owner instead
runs the project's documented set-up (`make setup`) in a fresh environment, edits the config,
writes the narrative and commits. These helpers do exactly that: the project builds its own
``.venv`` from its own ``pyproject.toml``, and every ``make`` target runs in it, with nothing of
this repository's environment on the path but the ``uv`` executable.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

PLACEHOLDER = "TODO(portfolio)"
# The owner's uv cache, found before the tests point HOME at a throw-away folder: a fresh
# environment is built from the registry's packages, and the cache only saves the downloads.
UV_CACHE = Path(os.environ.get("UV_CACHE_DIR", Path.home() / ".cache" / "uv"))
_MARKDOWN_TODO = re.compile(rf"^[ \t]*{re.escape(PLACEHOLDER)}.*?(?=\n[ \t]*\n|\Z)", re.S | re.M)
# A comment line holding the marker, and the comment lines under it at the same indentation.
_COMMENT_TODO = re.compile(
    rf"^(?P<indent>[ \t]*)(?P<mark>#+)[ \t]*{re.escape(PLACEHOLDER)}.*\n"
    r"(?:(?P=indent)(?P=mark)[ \t].*\n)*",
    re.M,
)


def _uv() -> str:
    found = shutil.which("uv") or shutil.which("uv", path=str(Path(sys.executable).parent))
    if found is None:
        pytest.fail("uv is not installed: it is in this repository's test extras (pip install uv)")
    return found


def owner_environment() -> dict[str, str]:
    """Return the environment an owner's shell has: system PATH plus uv, no virtualenv active."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "CONDA_PREFIX", "PYTHON"}
        and not key.startswith(("UV_", "PIP_REQUIRE"))
    }
    tool_bin = str(Path(sys.executable).parent)
    system_path = [p for p in env.get("PATH", "").split(os.pathsep) if p and p != tool_bin]
    env["PATH"] = os.pathsep.join([str(Path(_uv()).parent), *system_path])
    env["UV_CACHE_DIR"] = str(UV_CACHE)
    env.pop("MAKEFLAGS", None)
    return env


@dataclass(frozen=True)
class OwnedProject:
    """A generated project set up with its own documented command, in its own ``.venv``."""

    path: Path
    setup_seconds: float

    @property
    def python(self) -> Path:
        """The project's own interpreter, created by ``make setup``."""
        return self.path / ".venv" / "bin" / "python"

    def run(self, *args: str, timeout: float = 1200) -> subprocess.CompletedProcess[str]:
        """Run a command in the project as its owner would; fail the test with its output."""
        return _run(self.path, list(args), timeout=timeout)

    def make(self, *targets: str, timeout: float = 1200) -> subprocess.CompletedProcess[str]:
        """Run ``make TARGET...`` with no PYTHON override, so the project's ``.venv`` is used."""
        return self.run("make", *targets, timeout=timeout)


def set_up_as_owner(
    project: Path, *, resolution: str = "highest", extras: str = ""
) -> OwnedProject:
    """Run the project's ``make setup`` in a fresh environment and return it, timed.

    ``resolution="lowest-direct"`` installs the lowest versions ``pyproject.toml`` allows for
    each direct dependency, which is how the declared minimums are proven to work. ``extras``
    names optional extras the README's set-up installs with them (``make setup EXTRAS=...``).
    """
    start = time.perf_counter()
    options = [f"RESOLUTION={resolution}", *([f"EXTRAS={extras}"] if extras else [])]
    _run(project, ["make", "setup", *options], timeout=1800)
    owned = OwnedProject(project, time.perf_counter() - start)
    if not owned.python.is_file():
        pytest.fail(f"`make setup` did not create {owned.python}")
    leaked = _run(project, [str(owned.python), "-c", "import sys; print(sys.prefix)"]).stdout
    assert Path(leaked.strip()) == project / ".venv", "the project's python is not its own .venv"
    return owned


def write_narrative(project: Path, text: str) -> int:
    """Replace every ``TODO(portfolio)`` paragraph or comment block with ``text``, as an owner does.

    Markdown paragraphs that start with the marker become ``text``; comment blocks in config
    files (``# TODO(portfolio): ...`` and the comment lines under it) become one comment.
    Files under ``tests/`` are left alone: they belong to the code, not to the owner's story.
    Returns how many placeholders were replaced.
    """
    replaced = 0
    for path in sorted(project.rglob("*")):
        relative = path.relative_to(project)
        if not path.is_file() or relative.parts[0] in {".git", ".venv", "tests"}:
            continue
        try:
            original = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        if PLACEHOLDER not in original:
            continue
        if path.suffix == ".md":
            updated, count = _MARKDOWN_TODO.subn(text, original)
        else:
            updated, count = _COMMENT_TODO.subn(
                lambda m: f"{m['indent']}{m['mark']} {text}\n", original
            )
        if PLACEHOLDER in updated:
            pytest.fail(f"{relative} still has a placeholder this helper cannot rewrite")
        path.write_text(updated, encoding="utf-8")
        replaced += count
    return replaced


def commit_all(project: Path, message: str) -> None:
    """Stage and commit everything, as the owner does before showing the project."""
    _run(project, ["git", "add", "-A"])
    _run(project, ["git", "commit", "-q", "-m", message])


def _run(cwd: Path, args: list[str], *, timeout: float = 1200) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        args,
        cwd=cwd,
        env=owner_environment(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(
            f"{' '.join(args)} exited {result.returncode} in {cwd}\n"
            f"--- stdout ---\n{result.stdout[-20000:]}\n--- stderr ---\n{result.stderr[-20000:]}"
        )
    return result
