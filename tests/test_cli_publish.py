"""`portfolio publish` and `portfolio new --github/--remote` through CliRunner, on loopback.

Exit code first, then the text; the token must appear nowhere: not in the project (``.git``
included), not in stdout/stderr, not in any log record or exception chain.
"""

from __future__ import annotations

import base64
import logging
import os
import secrets
import shutil
import subprocess
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from portfolio.cli import main
from portfolio.errors import GitError
from portfolio.github import GitHubClient
from portfolio.publish import publish_project
from tests.servers import FakeGitHub, GitServer, branch_sha

TEMPLATE = "classifier-api"


@pytest.fixture
def token() -> str:
    return f"ghp_{secrets.token_hex(16)}"


@pytest.fixture
def github(tmp_path: Path, token: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGitHub]:
    """A fake GitHub (and its git server) the CLI finds through GITHUB_API_URL and GITHUB_TOKEN."""
    root = tmp_path / "server"
    root.mkdir()
    with GitServer(root, token) as git_server, FakeGitHub(token, git_server) as fake:
        monkeypatch.setenv("GITHUB_API_URL", fake.url)
        monkeypatch.setenv("GITHUB_TOKEN", token)
        monkeypatch.delenv("GH_TOKEN", raising=False)
        yield fake


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "work"
    path.mkdir()
    monkeypatch.chdir(path)
    return path


@pytest.fixture
def slug(generated: Callable[[str], Path]) -> str:
    """The default slug of the template (the generated folder is named after it)."""
    return generated(TEMPLATE).name


@pytest.fixture
def project(generated: Callable[[str], Path], workdir: Path, slug: str) -> Path:
    return Path(shutil.copytree(generated(TEMPLATE), workdir / slug, symlinks=True))


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def _head(path: Path) -> str:
    return subprocess.run(
        ["git", "-C", str(path), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()


def _assert_secret_nowhere(token: str, folder: Path, *texts: str) -> None:
    """Neither the token nor its Basic-auth form in any file under ``folder`` or in ``texts``."""
    header = base64.b64encode(f"x-access-token:{token}".encode()).decode()
    needles = [token.encode(), header.encode()]
    files = [p for p in folder.rglob("*") if p.is_file() and not p.is_symlink()]
    assert any(p.parts[-2:] == (".git", "config") for p in files)  # the search reached .git
    for path in files:
        data = path.read_bytes()
        assert not any(needle in data for needle in needles), path
    for text in texts:
        assert token not in text and header not in text


def test_publish_creates_pushes_and_prints_where(
    project: Path, github: FakeGitHub, slug: str
) -> None:
    result = run("publish", slug)

    assert result.exit_code == 0, result.output
    web = f"{github.url}/octo/{slug}"
    assert f"Created the GitHub repository {web}" in result.stdout
    assert f"Published main ({_head(project)[:7]}) to {web}" in result.stdout
    assert "topics: portfolio, machine-learning, classification, fastapi" in result.stdout
    assert branch_sha(github.git.root / f"octo/{slug}.git") == _head(project)


def test_publish_defaults_to_the_current_folder(
    project: Path, github: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)

    result = run("publish", "--private")

    assert result.exit_code == 0, result.output
    assert github.requests[1].body["private"] is True


def test_publish_remote_to_a_bare_folder(
    project: Path, workdir: Path, github: FakeGitHub, slug: str
) -> None:
    bare = workdir / "bare.git"
    subprocess.run(["git", "init", "--quiet", "--bare", str(bare)], check=True)

    result = run("publish", slug, "--remote", "bare.git")

    assert result.exit_code == 0, result.output
    assert f"Published main ({_head(project)[:7]}) to {bare}" in result.stdout
    assert github.requests == []
    assert branch_sha(bare) == _head(project)


def test_publish_remote_to_smart_http(project: Path, github: FakeGitHub, slug: str) -> None:
    bare = github.git.create_bare("octo/mine.git")

    result = run("publish", slug, "--remote", github.repo_url("octo/mine.git"))

    assert result.exit_code == 0, result.output
    assert branch_sha(bare) == _head(project)
    assert github.calls() == []


def test_publish_remote_refuses_github_only_options(project: Path, slug: str) -> None:
    result = run("publish", slug, "--remote", "x.git", "--owner", "acme")

    assert result.exit_code == 2
    assert "--remote pushes to an existing one" in result.stderr


def test_publish_outside_a_project_says_so(workdir: Path) -> None:
    result = run("publish", str(workdir))

    assert result.exit_code == 1
    assert f"error: {workdir} is not a portfolio project (no .portfolio.json)" in result.stderr
    assert "hint: run this inside a folder made by `portfolio new`" in result.stderr


def test_publish_dirty_project_says_commit_or_allow_dirty(
    project: Path, github: FakeGitHub, slug: str
) -> None:
    (project / "notes.txt").write_text("draft\n", encoding="utf-8")

    result = run("publish", slug)

    assert result.exit_code == 1
    assert "has uncommitted changes (notes.txt); nothing was published" in result.stderr
    assert "--allow-dirty" in result.stderr
    assert github.requests == []

    result = run("publish", slug, "--allow-dirty")

    assert result.exit_code == 0, result.output
    assert "warning: uncommitted changes are not published: notes.txt" in result.stderr


def test_publish_help_names_the_token_and_its_scope() -> None:
    result = run("publish", "--help")

    assert result.exit_code == 0
    for needed in (
        "GITHUB_TOKEN",
        "GH_TOKEN",
        "`repo`",
        "Administration",
        "--remote",
        "--allow-dirty",
    ):
        assert needed in result.stdout


def test_new_github_creates_then_publishes(workdir: Path, github: FakeGitHub, slug: str) -> None:
    result = run("new", TEMPLATE, "--no-input", "--github", "--owner", "acme", "--private")

    assert result.exit_code == 0, result.output
    project = workdir / slug
    assert f"Created {slug} from the {TEMPLATE} template." in result.stdout
    assert "portfolio publish" not in result.stdout  # already published: not a next step
    assert github.calls("POST") == ["POST /orgs/acme/repos"]
    assert github.requests[1].body["private"] is True
    assert branch_sha(github.git.root / f"acme/{slug}.git") == _head(project)


def test_new_without_publishing_suggests_publish(workdir: Path) -> None:
    result = run("new", TEMPLATE, "--no-input")

    assert result.exit_code == 0, result.output
    assert "  portfolio publish" in result.stdout


def test_new_remote_pushes_to_a_bare_folder(workdir: Path, slug: str) -> None:
    bare = workdir / "bare.git"
    subprocess.run(["git", "init", "--quiet", "--bare", str(bare)], check=True)

    result = run("new", TEMPLATE, "--no-input", "--remote", str(bare))

    assert result.exit_code == 0, result.output
    assert branch_sha(bare) == _head(workdir / slug)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--no-git", "--github"), "drop --no-git"),
        (("--github", "--remote", "x.git"), "choose one"),
        (("--private",), "go with --github"),
        (("--owner", "acme"), "go with --github"),
    ],
)
def test_new_refuses_contradictory_options(
    workdir: Path, args: tuple[str, ...], expected: str
) -> None:
    result = run("new", TEMPLATE, "--no-input", *args)

    assert result.exit_code == 2
    assert expected in result.stderr
    assert list(workdir.iterdir()) == []


def test_new_github_without_a_token_writes_nothing(
    workdir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("GITHUB_TOKEN", "GH_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    bin_dir = tmp_path / "bin"  # git only: no `gh` to ask
    bin_dir.mkdir()
    git = shutil.which("git")
    assert git is not None
    (bin_dir / "git").symlink_to(git)
    monkeypatch.setenv("PATH", str(bin_dir))

    result = run("new", TEMPLATE, "--no-input", "--github")

    assert result.exit_code == 1
    assert (
        "error: no GitHub token found (GITHUB_TOKEN, GH_TOKEN or `gh auth token`)" in result.stderr
    )
    assert "https://github.com/settings/tokens" in result.stderr
    assert list(workdir.iterdir()) == []


def test_new_github_failed_push_keeps_the_project_and_gives_the_retry(
    workdir: Path, github: FakeGitHub, token: str, slug: str
) -> None:
    github.git.token = secrets.token_hex(8)  # the push is refused after the repository was created

    result = run("new", TEMPLATE, "--no-input", "--github", "--description", "Churn, explained")

    assert result.exit_code == 1
    project = workdir / slug
    assert (project / ".portfolio.json").is_file()
    assert "refused the GitHub token" in result.stderr
    retry = f"portfolio publish {slug} --description 'Churn, explained'"
    assert f"the project in {slug} is intact; once fixed, run again: {retry}\n" in result.stderr

    github.git.token = token
    result = run("publish", slug, "--description", "Churn, explained")

    assert result.exit_code == 0, result.output
    assert f"Reusing the empty GitHub repository {github.url}/octo/{slug}" in result.stdout
    assert branch_sha(github.git.root / f"octo/{slug}.git") == _head(project)


def test_token_stays_secret_after_success(
    workdir: Path, github: FakeGitHub, token: str, caplog: pytest.LogCaptureFixture, slug: str
) -> None:
    caplog.set_level(logging.DEBUG)

    result = run("new", TEMPLATE, "--no-input", "--github")

    assert result.exit_code == 0, result.output
    logged = "\n".join(f"{r.getMessage()} {r.exc_text or ''}" for r in caplog.records)
    _assert_secret_nowhere(token, workdir / slug, result.stdout, result.stderr, logged)


def test_token_stays_secret_after_a_failed_push(
    project: Path, github: FakeGitHub, token: str, caplog: pytest.LogCaptureFixture, slug: str
) -> None:
    caplog.set_level(logging.DEBUG)
    github.git.token = secrets.token_hex(8)

    result = run("publish", slug)
    with pytest.raises(GitError) as caught:
        publish_project(project, client=GitHubClient(), token_source=lambda: token)

    assert result.exit_code == 1
    chain = "".join(traceback.format_exception(caught.value))
    assert "refused the GitHub token" in chain
    logged = "\n".join(f"{r.getMessage()} {r.exc_text or ''}" for r in caplog.records)
    environment = "\n".join(f"{k}={v}" for k, v in os.environ.items() if k != "GITHUB_TOKEN")
    _assert_secret_nowhere(token, project, result.stdout, result.stderr, logged, chain, environment)
