"""Fixtures shared by the tool's tests: isolated git config, generated projects, datasets."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from portfolio.generate import CreatedProject, new_project
from tests.servers import Loopback, loopback

REPO_ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ("classifier-api", "nlp-pipeline", "recommender")
AUTHOR = ("Test Author", "test.author@example.com")


def _isolate_git(env: pytest.MonkeyPatch | dict[str, str], home: Path) -> None:
    gitconfig = home / ".gitconfig"
    if not gitconfig.exists():
        gitconfig.write_text(
            f"[user]\n\tname = {AUTHOR[0]}\n\temail = {AUTHOR[1]}\n"
            "[init]\n\tdefaultBranch = trunk\n",
            encoding="utf-8",
        )
    values = {"GIT_CONFIG_GLOBAL": str(gitconfig), "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(home)}
    for key, value in values.items():
        if isinstance(env, dict):
            env[key] = value
        else:
            env.setenv(key, value)


@pytest.fixture(autouse=True)
def isolated_git(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point git at a throw-away global config with an author, so tests never touch the real one.

    ``init.defaultBranch = trunk`` there proves the tool asks for ``main`` explicitly.
    """
    home = tmp_path_factory.mktemp("home")
    _isolate_git(monkeypatch, home)
    for var in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL"):
        monkeypatch.delenv(var, raising=False)
    return home / ".gitconfig"


def generate(
    template: str, output_dir: Path, *, init_git: bool = True, **answers: str
) -> CreatedProject:
    """Generate ``template`` into ``output_dir`` with defaults plus ``answers``, no questions."""
    return new_project(template, output_dir=output_dir, given=answers, ask=None, init_git=init_git)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str], Path]]:
    """Render each template once per test module and hand out the project folder."""
    cache: dict[str, Path] = {}
    home = tmp_path_factory.mktemp("home-module")
    saved = dict(os.environ)
    env: dict[str, str] = {}
    _isolate_git(env, home)
    os.environ.update(env)

    def get(template: str) -> Path:
        if template not in cache:
            cache[template] = generate(template, tmp_path_factory.mktemp(template)).path
        return cache[template]

    try:
        yield get
    finally:
        os.environ.clear()
        os.environ.update(saved)


@pytest.fixture(scope="session")
def shared_datasets() -> Path:
    """The real public datasets beside this repository (../shared/datasets); skip when absent."""
    path = Path(os.environ.get("PORTFOLIO_DATASETS", REPO_ROOT.parent / "shared" / "datasets"))
    if not path.is_dir():
        pytest.skip(f"real datasets not found at {path} (CI always has ../shared/datasets)")
    return path


def run_in_project(
    project: Path, *args: str, timeout: float = 900
) -> subprocess.CompletedProcess[str]:
    """Run a command inside a generated project with this interpreter first on PATH.

    Fails the test with the command's whole output when it exits non-zero.
    """
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.pop("PYTHONPATH", None)
    result = subprocess.run(
        list(args),
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(
            f"{' '.join(args)} exited {result.returncode} in {project}\n"
            f"--- stdout ---\n{result.stdout[-20000:]}\n--- stderr ---\n{result.stderr[-20000:]}"
        )
    return result


@pytest.fixture
def github_token() -> str:
    """A token in GitHub's classic format, new for each test."""
    return f"ghp_{secrets.token_hex(16)}"


@pytest.fixture
def loopback_github(tmp_path: Path, github_token: str) -> Iterator[Loopback]:
    """A fake GitHub on loopback, with real git smart-HTTP pushes, accepting ``github_token``."""
    with loopback(tmp_path / "server", github_token) as servers:
        yield servers


@pytest.fixture
def github_environment(
    loopback_github: Loopback, github_token: str, monkeypatch: pytest.MonkeyPatch
) -> Loopback:
    """The loopback GitHub, found by the CLI as a user's shell finds GitHub: by environment."""
    monkeypatch.setenv("GITHUB_API_URL", loopback_github.github.url)
    monkeypatch.setenv("GITHUB_TOKEN", github_token)
    monkeypatch.delenv("GH_TOKEN", raising=False)
    return loopback_github
