"""publish_project end to end on loopback: fake GitHub API, real git smart-HTTP pushes."""

from __future__ import annotations

import json
import secrets
import shutil
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from portfolio.errors import GitError, GitHubAuthError, GitHubError, PortfolioError
from portfolio.github import GitHubClient
from portfolio.publish import PublishResult, publish_project, retry_command
from tests.servers import FakeGitHub, GitServer, branch_sha

TEMPLATE = "classifier-api"
TOPICS = ("portfolio", "machine-learning", "classification", "fastapi", "scikit-learn",
          "model-evaluation")  # fmt: skip
RATE_LIMIT = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "4102444800"}


@dataclass
class Servers:
    git: GitServer
    github: FakeGitHub
    client: GitHubClient

    def bare(self, full_name: str) -> Path:
        return self.git.root / f"{full_name}.git"


@pytest.fixture
def token() -> str:
    return f"ghp_{secrets.token_hex(16)}"


@pytest.fixture
def servers(tmp_path: Path, token: str) -> Iterator[Servers]:
    root = tmp_path / "server"
    root.mkdir()
    with GitServer(root, token) as git_server, FakeGitHub(token, git_server) as github:
        yield Servers(git_server, github, GitHubClient(github.url, sleep=lambda _s: None))


@pytest.fixture
def slug(generated: Callable[[str], Path]) -> str:
    """The default slug of the template (the generated folder is named after it)."""
    return generated(TEMPLATE).name


@pytest.fixture
def project(generated: Callable[[str], Path], tmp_path: Path, slug: str) -> Path:
    """A fresh copy (with its .git) of one generated project, rendered once per module."""
    return Path(shutil.copytree(generated(TEMPLATE), tmp_path / "work" / slug, symlinks=True))


def _git(path: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(path), *args], capture_output=True, text=True, check=True
    ).stdout.strip()


def _publish(project: Path, servers: Servers, token: str, **options: object) -> PublishResult:
    return publish_project(project, client=servers.client, token_source=lambda: token, **options)


def _answers(project: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads((project / ".portfolio.json").read_text(encoding="utf-8"))
    return data


def test_publish_creates_the_repository_sets_topics_and_pushes(
    project: Path, servers: Servers, token: str, slug: str
) -> None:
    messages: list[str] = []
    description = str(_answers(project)["answers"]["description"])

    result = _publish(project, servers, token, progress=messages.append)

    clone_url = servers.github.repo_url(f"octo/{slug}.git")
    assert servers.github.calls() == [
        "GET /user",
        "POST /user/repos",
        f"PUT /repos/octo/{slug}/topics",
    ]
    assert servers.github.requests[1].body == {
        "name": slug,
        "description": description,
        "private": False,
        "auto_init": False,
    }
    assert servers.github.requests[2].body == {"names": list(TOPICS)}
    assert result.created and result.warnings == ()
    assert result.remote == clone_url
    assert result.web_url == f"{servers.github.url}/octo/{slug}"
    assert result.topics == TOPICS
    assert (
        branch_sha(servers.bare(f"octo/{slug}")) == _git(project, "rev-parse", "HEAD") == result.sha
    )
    assert _git(project, "remote", "get-url", "origin") == clone_url
    assert _git(project, "status", "--porcelain") == ""
    # No commit of the tool's own: the history the world sees starts with the project's.
    assert _git(project, "log", "--format=%s").startswith("Initial commit from portfolio")
    assert _git(project, "rev-list", "--count", "HEAD") == "1"
    assert "remote" not in _answers(project)
    assert f"Created the GitHub repository {result.web_url}" in messages
    assert f"Pushing main to {clone_url}" in messages
    assert any(line.startswith("Writing objects") for line in messages)


def test_options_choose_organisation_visibility_and_description(
    project: Path, servers: Servers, token: str, slug: str
) -> None:
    result = _publish(
        project, servers, token, private=True, owner="acme", description="Line one\n two"
    )

    assert servers.github.calls("POST") == ["POST /orgs/acme/repos"]
    assert servers.github.requests[1].body["private"] is True
    assert servers.github.requests[1].body["description"] == "Line one two"
    assert result.remote == servers.github.repo_url(f"acme/{slug}.git")
    assert branch_sha(servers.bare(f"acme/{slug}")) == result.sha


def test_owner_naming_the_user_uses_the_user_endpoint(
    project: Path, servers: Servers, token: str
) -> None:
    _publish(project, servers, token, owner="OCTO")

    assert servers.github.calls("POST") == ["POST /user/repos"]


def test_an_unknown_organisation_leaves_the_project_untouched(
    project: Path, servers: Servers, token: str
) -> None:
    head = _git(project, "rev-parse", "HEAD")
    before = (project / ".portfolio.json").read_bytes()

    with pytest.raises(GitHubError) as caught:
        _publish(project, servers, token, owner="nope")

    assert (
        caught.value.message
        == "GitHub organisation 'nope' was not found, or the token cannot see it"
    )
    assert caught.value.hint.endswith(
        f"the project in {project} is intact; once fixed, run again: "
        f"portfolio publish {project} --owner nope"
    )
    assert _git(project, "rev-parse", "HEAD") == head
    assert _git(project, "remote") == ""
    assert (project / ".portfolio.json").read_bytes() == before


def test_a_refused_token_is_reported_with_the_retry(project: Path, servers: Servers) -> None:
    with pytest.raises(GitHubAuthError) as caught:
        _publish(project, servers, "ghp_not_the_right_one")

    assert caught.value.message.startswith("GitHub refused the token")
    assert "https://github.com/settings/tokens" in caught.value.hint
    assert f"run again: portfolio publish {project}" in caught.value.hint
    assert servers.github.calls() == ["GET /user"]


def test_a_rate_limit_says_when_to_retry(project: Path, servers: Servers, token: str) -> None:
    body = {"message": "API rate limit exceeded for user ID 1."}
    servers.github.respond_once("POST", "/user/repos", 403, body, RATE_LIMIT)

    with pytest.raises(GitHubError, match="try again after 2100-01-01 00:00 UTC"):
        _publish(project, servers, token)


def test_a_failed_push_is_recoverable_by_running_publish_again(
    project: Path, servers: Servers, token: str, slug: str
) -> None:
    servers.git.token = secrets.token_hex(8)  # GitHub accepts the token, the git host does not

    with pytest.raises(GitError) as caught:
        _publish(project, servers, token)

    assert "refused the GitHub token" in caught.value.message
    assert caught.value.hint.endswith(f"once fixed, run again: portfolio publish {project}")
    assert branch_sha(servers.bare(f"octo/{slug}")) is None
    assert _git(project, "status", "--porcelain") == ""
    assert _git(project, "rev-list", "--count", "HEAD") == "1"  # the failure left no commit

    servers.git.token = token
    messages: list[str] = []
    result = _publish(project, servers, token, progress=messages.append)

    assert not result.created
    assert servers.github.calls()[-4:] == [
        "GET /user",
        "POST /user/repos",
        f"GET /repos/octo/{slug}",
        f"PUT /repos/octo/{slug}/topics",
    ]
    assert f"Reusing the empty GitHub repository {servers.github.url}/octo/{slug}" in messages
    assert branch_sha(servers.bare(f"octo/{slug}")) == _git(project, "rev-parse", "HEAD")
    assert _git(project, "rev-list", "--count", "HEAD") == "1"


def test_an_existing_repository_with_commits_is_not_overwritten(
    project: Path, servers: Servers, token: str, tmp_path: Path, slug: str
) -> None:
    twin = Path(shutil.copytree(project, tmp_path / "twin" / slug, symlinks=True))
    first = _publish(twin, servers, token)

    with pytest.raises(GitHubError) as caught:
        _publish(project, servers, token)

    assert caught.value.message == (
        f"GitHub repository octo/{slug} already exists and has commits; nothing was pushed"
    )
    assert f"--remote {first.remote}" in caught.value.hint
    assert branch_sha(servers.bare(f"octo/{slug}")) == first.sha


def test_publishing_again_pushes_new_commits_to_the_same_repository(
    project: Path, servers: Servers, token: str, slug: str
) -> None:
    first = _publish(project, servers, token)
    (project / "NOTES.md").write_text("more work\n", encoding="utf-8")
    _git(project, "add", "NOTES.md")
    _git(project, "commit", "--quiet", "-m", "More work")
    messages: list[str] = []

    second = _publish(project, servers, token, progress=messages.append)

    assert not second.created
    assert second.remote == first.remote
    assert f"Pushing to this project's GitHub repository {first.web_url}" in messages
    assert branch_sha(servers.bare(f"octo/{slug}")) == _git(project, "rev-parse", "HEAD")


def test_topics_failing_is_a_warning_not_a_failure(
    project: Path, servers: Servers, token: str, slug: str
) -> None:
    body = {"message": "Resource not accessible by personal access token"}
    servers.github.respond_once("PUT", f"/repos/octo/{slug}/topics", 403, body)

    result = _publish(project, servers, token)

    assert result.topics == ()
    assert result.warnings[0].startswith("topics not set (the GitHub token is not allowed")
    assert branch_sha(servers.bare(f"octo/{slug}")) == result.sha


def _no_token() -> str:
    raise AssertionError("the token must not be looked up for this remote")


def test_remote_to_a_bare_path_skips_github(
    project: Path, servers: Servers, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bare = tmp_path / "bare.git"
    subprocess.run(["git", "init", "--quiet", "--bare", str(bare)], check=True)
    monkeypatch.chdir(tmp_path)

    result = publish_project(
        project, remote="bare.git", client=servers.client, token_source=_no_token
    )

    assert servers.github.requests == []
    assert result.remote == str(bare) == _git(project, "remote", "get-url", "origin")
    assert result.web_url is None and not result.created
    assert branch_sha(bare) == result.sha == _git(project, "rev-parse", "HEAD")


@pytest.mark.parametrize("remote", ["origin", "../missing.git"])
def test_remote_that_is_neither_url_nor_folder_is_refused(
    project: Path, servers: Servers, remote: str
) -> None:
    with pytest.raises(PortfolioError, match="is neither a URL nor an existing folder") as caught:
        publish_project(project, remote=remote, client=servers.client, token_source=_no_token)

    assert caught.value.exit_code == 2
    assert _git(project, "remote") == ""


def test_remote_with_a_password_is_refused_without_echoing_it(
    project: Path, servers: Servers
) -> None:
    url = "https://me:hunter2@gitlab.example.com/me/x.git"

    with pytest.raises(GitError, match="holds a password") as caught:
        publish_project(project, remote=url, client=servers.client, token_source=_no_token)

    assert "hunter2" not in f"{caught.value.message} {caught.value.hint}"
    assert _git(project, "remote") == ""
    assert "remote" not in _answers(project)


def test_remote_on_the_github_host_gets_the_token(
    project: Path, servers: Servers, token: str
) -> None:
    bare = servers.git.create_bare("octo/existing.git")
    url = servers.github.repo_url("octo/existing.git")

    result = _publish(project, servers, token, remote=url)

    assert servers.github.calls() == []  # no API call: git's requests only
    assert branch_sha(bare) == result.sha
    assert any(ok for _method, _path, ok in servers.git.requests)


def test_remote_on_another_port_of_the_github_host_never_gets_the_token(
    project: Path, servers: Servers, token: str
) -> None:
    # Same scheme and host as the API (127.0.0.1), another port: another server entirely.
    servers.git.create_bare("me/existing.git")
    url = servers.git.repo_url("me/existing.git")
    assert url.split(":")[:2] == servers.client.base_url.split(":")[:2]

    with pytest.raises(GitError, match="git has no credentials to push to"):
        publish_project(project, remote=url, client=servers.client, token_source=lambda: token)

    assert servers.git.requests and not any(ok for _m, _p, ok in servers.git.requests)


def test_remote_on_another_host_never_gets_the_github_token(
    project: Path, servers: Servers
) -> None:
    servers.git.create_bare("me/existing.git")
    url = servers.git.repo_url("me/existing.git")
    elsewhere = GitHubClient("https://ghe.example.com/api/v3")

    with pytest.raises(GitError, match="git has no credentials to push to"):
        publish_project(project, remote=url, client=elsewhere, token_source=_no_token)

    assert servers.git.requests and not any(ok for _m, _p, ok in servers.git.requests)


def test_a_folder_that_is_not_a_project_is_refused(tmp_path: Path, servers: Servers) -> None:
    with pytest.raises(PortfolioError, match="is not a portfolio project"):
        publish_project(tmp_path, client=servers.client, token_source=_no_token)

    assert servers.github.requests == []


def test_uncommitted_changes_are_refused(project: Path, servers: Servers) -> None:
    (project / "README.md").write_text("changed\n", encoding="utf-8")

    with pytest.raises(PortfolioError) as caught:
        publish_project(project, client=servers.client, token_source=_no_token)

    assert (
        caught.value.message
        == f"{project} has uncommitted changes (README.md); nothing was published"
    )
    assert "--allow-dirty" in caught.value.hint
    assert servers.github.requests == []


def test_allow_dirty_publishes_the_last_commit_only(
    project: Path, servers: Servers, token: str, slug: str
) -> None:
    (project / "README.md").write_text("changed\n", encoding="utf-8")

    result = _publish(project, servers, token, allow_dirty=True)

    assert result.warnings == ("uncommitted changes are not published: README.md",)
    pushed_readme = _git(servers.bare(f"octo/{slug}"), "show", "main:README.md")
    assert pushed_readme != "changed"
    assert _git(project, "status", "--porcelain") == "M README.md"


def test_an_invalid_owner_is_refused_before_any_call(project: Path, servers: Servers) -> None:
    with pytest.raises(PortfolioError, match="invalid --owner 'no/pe'") as caught:
        publish_project(project, owner="no/pe", client=servers.client, token_source=_no_token)

    assert caught.value.exit_code == 2


def test_retry_command_quotes_what_the_shell_needs() -> None:
    command = retry_command(
        Path("my project"), private=True, owner="acme", description="It's", allow_dirty=True
    )

    assert command == (
        "portfolio publish 'my project' --private --owner acme --description 'It'\"'\"'s' "
        "--allow-dirty"
    )
