"""The GitHub REST calls against a loopback server that answers as GitHub documents."""

from __future__ import annotations

import base64
import contextlib
import secrets
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from portfolio import __version__
from portfolio.errors import GitHubAuthError, GitHubError
from portfolio.github import (
    DEFAULT_API_URL,
    GitHubClient,
    api_url,
    git_origin,
    normalise_topics,
    token_from_environment,
)
from tests.servers import FakeGitHub, GitServer

RATE_LIMITED = {
    "message": "API rate limit exceeded for user ID 1.",
    "documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api",
}


@pytest.fixture
def token() -> str:
    return f"ghp_{secrets.token_hex(16)}"


@pytest.fixture
def github(tmp_path: Path, token: str) -> Iterator[FakeGitHub]:
    root = tmp_path / "server"
    root.mkdir()
    with GitServer(root, token) as git_server, FakeGitHub(token, git_server) as fake:
        yield fake


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def client(github: FakeGitHub, sleeps: list[float]) -> GitHubClient:
    return GitHubClient(github.url, sleep=sleeps.append)


def test_login_sends_the_documented_headers(
    client: GitHubClient, github: FakeGitHub, token: str
) -> None:
    with client.session(token) as session:
        assert session.login() == "octo"

    headers = github.requests[0].headers
    assert github.calls() == ["GET /user"]
    assert headers["Authorization"] == f"Bearer {token}"
    assert headers["Accept"] == "application/vnd.github+json"
    assert headers["X-GitHub-Api-Version"] == "2022-11-28"
    assert headers["User-Agent"] == f"portfolio/{__version__}"


def test_create_for_the_user_posts_the_documented_body(
    client: GitHubClient, github: FakeGitHub, token: str
) -> None:
    with client.session(token) as session:
        repo = session.create_repository("churn", description="Churn model", private=True)

    assert repo is not None
    assert repo.full_name == "octo/churn"
    assert repo.private
    assert repo.clone_url == github.repo_url("octo/churn.git")
    assert github.calls() == ["POST /user/repos"]
    assert github.requests[0].body == {
        "name": "churn",
        "description": "Churn model",
        "private": True,
        "auto_init": False,
    }


def test_create_for_an_organisation_uses_its_endpoint(
    client: GitHubClient, github: FakeGitHub, token: str
) -> None:
    with client.session(token) as session:
        repo = session.create_repository("churn", description="", private=False, org="acme")

    assert repo is not None
    assert repo.full_name == "acme/churn"
    assert github.calls() == ["POST /orgs/acme/repos"]


def test_an_existing_name_returns_none(
    client: GitHubClient, github: FakeGitHub, token: str
) -> None:
    with client.session(token) as session:
        session.create_repository("churn", description="", private=False)
        assert session.create_repository("churn", description="", private=False) is None
        assert session.repository("octo", "churn").full_name == "octo/churn"


def test_an_unknown_organisation_is_named(client: GitHubClient, token: str) -> None:
    with client.session(token) as session, pytest.raises(GitHubError) as caught:
        session.create_repository("churn", description="", private=False, org="nope")

    assert (
        caught.value.message
        == "GitHub organisation 'nope' was not found, or the token cannot see it"
    )
    assert "--owner" in caught.value.hint


def test_a_bad_token_says_how_to_make_one(client: GitHubClient) -> None:
    with client.session("ghp_wrong") as session, pytest.raises(GitHubAuthError) as caught:
        session.login()

    assert (
        caught.value.message
        == "GitHub refused the token while checking who you are (401: Bad credentials)"
    )
    assert "https://github.com/settings/tokens" in caught.value.hint
    assert "scope `repo`" in caught.value.hint
    assert "Administration and Contents" in caught.value.hint


def test_a_primary_rate_limit_gives_the_reset_time(
    client: GitHubClient, github: FakeGitHub, token: str
) -> None:
    reset = {
        "X-RateLimit-Limit": "5000",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": "4102444800",
    }
    github.respond_once("POST", "/user/repos", 403, RATE_LIMITED, reset)

    with client.session(token) as session, pytest.raises(GitHubError) as caught:
        session.create_repository("churn", description="", private=False)

    assert not isinstance(caught.value, GitHubAuthError)
    assert caught.value.message == (
        "GitHub rate limit reached while creating the repository 'churn'; "
        "try again after 2100-01-01 00:00 UTC"
    )


def test_a_secondary_rate_limit_gives_retry_after(
    client: GitHubClient, github: FakeGitHub, token: str
) -> None:
    body = {"message": "You have exceeded a secondary rate limit. Please wait a few minutes."}
    github.respond_once("PUT", "/repos/octo/churn/topics", 429, body, {"Retry-After": "60"})

    with client.session(token) as session, pytest.raises(GitHubError) as caught:
        session.set_topics("octo/churn", ["portfolio"])

    assert caught.value.message.endswith("try again in 60 seconds")
    assert len(github.calls("PUT")) == 1


def test_a_missing_scope_names_the_scope(
    client: GitHubClient, github: FakeGitHub, token: str
) -> None:
    body = {"message": "Resource not accessible by personal access token"}
    github.respond_once("POST", "/user/repos", 403, body, {"X-Accepted-OAuth-Scopes": "repo"})

    with client.session(token) as session, pytest.raises(GitHubAuthError) as caught:
        session.create_repository("churn", description="", private=False)

    assert caught.value.message == (
        "the GitHub token is not allowed to do this: creating the repository 'churn' "
        "(403: Resource not accessible by personal access token)"
    )
    assert caught.value.hint.startswith("it needs the scope 'repo'; ")


def test_idempotent_calls_are_retried_with_backoff(
    client: GitHubClient, github: FakeGitHub, token: str, sleeps: list[float]
) -> None:
    github.respond_once("GET", "/user", 502, {"message": "Server Error"})
    github.respond_once("GET", "/user", 503, {"message": "Unavailable"})

    with client.session(token) as session:
        assert session.login() == "octo"

    assert sleeps == [0.5, 1.0]
    assert github.calls() == ["GET /user"] * 3


def test_creating_is_not_repeated_after_a_server_error(
    client: GitHubClient, github: FakeGitHub, token: str, sleeps: list[float]
) -> None:
    github.respond_once("POST", "/user/repos", 502, {"message": "Server Error"})

    with client.session(token) as session, pytest.raises(GitHubError, match="GitHub answered 502"):
        session.create_repository("churn", description="", private=False)

    assert sleeps == []
    assert github.calls() == ["POST /user/repos"]


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_network_errors_are_retried_then_reported(sleeps: list[float], token: str) -> None:
    base = f"http://127.0.0.1:{_closed_port()}"
    client = GitHubClient(base, retries=2, sleep=sleeps.append)

    with client.session(token) as session, pytest.raises(GitHubError) as caught:
        session.create_repository("churn", description="", private=False)

    assert caught.value.message.startswith(f"cannot reach the GitHub API at {base} while creating")
    assert "run the same command again" in caught.value.hint
    assert sleeps == [0.5, 1.0]
    assert token not in str(caught.value)


def test_topics_are_put_as_a_list(client: GitHubClient, github: FakeGitHub, token: str) -> None:
    with client.session(token) as session:
        session.create_repository("churn", description="", private=False)
        stored = session.set_topics("octo/churn", ["portfolio", "classifier-api"])

    assert stored == ["portfolio", "classifier-api"]
    assert github.requests[-1].body == {"names": ["portfolio", "classifier-api"]}


def test_normalise_topics() -> None:
    topics = ["Portfolio", "machine learning", "portfolio", "classifier_api", "", "x" * 60]

    assert normalise_topics(topics) == ["portfolio", "machine-learning", "classifier-api", "x" * 50]


def test_api_url_is_overridable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_API_URL", raising=False)
    assert api_url() == DEFAULT_API_URL
    monkeypatch.setenv("GITHUB_API_URL", "https://ghe.example.com/api/v3/")
    assert api_url() == "https://ghe.example.com/api/v3"
    assert GitHubClient().base_url == "https://ghe.example.com/api/v3"


@pytest.mark.parametrize(
    ("api", "origin"),
    [
        ("https://api.github.com", ("https", "github.com", 443)),
        ("https://ghe.example.com/api/v3", ("https", "ghe.example.com", 443)),
        ("https://GHE.example.com:8443/api/v3", ("https", "ghe.example.com", 8443)),
        ("http://127.0.0.1:8080", ("http", "127.0.0.1", 8080)),
    ],
)
def test_git_origin(api: str, origin: tuple[str, str, int]) -> None:
    assert git_origin(api) == origin


@pytest.fixture
def no_token(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No token variables, and a PATH holding only an empty folder (so no `gh`)."""
    for name in ("GITHUB_TOKEN", "GH_TOKEN", "GITHUB_API_URL"):
        monkeypatch.delenv(name, raising=False)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    monkeypatch.setenv("PATH", str(bin_dir))
    return bin_dir


def test_github_token_comes_first(no_token: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GH_TOKEN", "from-gh-token")
    monkeypatch.setenv("GITHUB_TOKEN", " from-github-token\n")

    assert token_from_environment() == "from-github-token"


def test_gh_token_is_second(no_token: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "")
    monkeypatch.setenv("GH_TOKEN", "from-gh-token")

    assert token_from_environment() == "from-gh-token"


def _fake_gh(bin_dir: Path, script: str) -> None:
    gh = bin_dir / "gh"
    gh.write_text(f"#!/bin/sh\n{script}\n", encoding="utf-8")
    gh.chmod(0o755)


def test_the_github_cli_is_asked_last(no_token: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_gh(no_token, f'echo "$@" > {no_token}/args; echo gho_fromcli')
    monkeypatch.setenv("GITHUB_API_URL", "https://ghe.example.com/api/v3")

    assert token_from_environment() == "gho_fromcli"
    assert (no_token / "args").read_text(encoding="utf-8").split() == [
        "auth", "token", "--hostname", "ghe.example.com"
    ]  # fmt: skip


def test_no_token_says_how_to_create_one(no_token: Path) -> None:
    with pytest.raises(GitHubAuthError) as caught:
        token_from_environment()

    assert (
        caught.value.message == "no GitHub token found (GITHUB_TOKEN, GH_TOKEN or `gh auth token`)"
    )
    for needed in (
        "https://github.com/settings/tokens",
        "`repo`",
        "Administration",
        "gh auth login",
    ):
        assert needed in caught.value.hint
    assert "--remote URL" in caught.value.hint


def test_a_logged_out_github_cli_is_mentioned(no_token: Path) -> None:
    _fake_gh(no_token, "echo 'not logged in' >&2; exit 1")

    with pytest.raises(GitHubAuthError, match="the GitHub CLI is installed but not logged in"):
        token_from_environment()


class _SilentServer:
    """Accepts connections on loopback and never answers: a hung API."""

    def __init__(self) -> None:
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self.url = f"http://127.0.0.1:{self._sock.getsockname()[1]}"
        self.accepted: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def _accept(self) -> None:
        with contextlib.suppress(OSError):
            while True:
                self.accepted.append(self._sock.accept()[0])

    def __enter__(self) -> _SilentServer:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept()
        self._sock.close()
        self._thread.join(timeout=10)
        for conn in self.accepted:
            conn.close()


def test_an_api_that_never_answers_fails_with_a_clear_error(token: str) -> None:
    with _SilentServer() as silent:
        client = GitHubClient(
            silent.url, timeout=0.2, connect_timeout=0.2, deadline=1.0, sleep=lambda _s: None
        )
        with client.session(token) as session, pytest.raises(GitHubError) as caught:
            session.login()

    assert caught.value.message == (
        f"the GitHub API at {silent.url} did not answer in time while checking who you are"
    )
    assert "run the same command again" in caught.value.hint
    assert 1 <= len(silent.accepted) <= client.retries + 1


def test_a_create_call_that_times_out_is_not_repeated(token: str) -> None:
    with _SilentServer() as silent:
        client = GitHubClient(silent.url, timeout=0.2, connect_timeout=0.2, sleep=lambda _s: None)
        with client.session(token) as session, pytest.raises(GitHubError, match="did not answer"):
            session.create_repository("churn", description="", private=False)

    assert len(silent.accepted) == 1  # the request may have arrived: no second repository


def test_retries_stop_at_the_deadline(token: str) -> None:
    now = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    def clock() -> float:
        now[0] += 4.0  # each attempt takes four seconds of the budget
        return now[0]

    base = f"http://127.0.0.1:{_closed_port()}"
    client = GitHubClient(base, retries=10, deadline=10.0, sleep=sleep, clock=clock)
    with client.session(token) as session, pytest.raises(GitHubError, match="cannot reach"):
        session.login()

    assert len(slept) < 3  # ten retries allowed, but the ten-second budget ran out first


def test_an_error_body_echoing_the_token_is_scrubbed(
    client: GitHubClient, github: FakeGitHub, token: str
) -> None:
    encoded = base64.b64encode(f"x-access-token:{token}".encode()).decode()
    body = {"message": f"proxy saw Authorization: Bearer {token} and Basic {encoded}"}
    github.respond_once("POST", "/user/repos", 400, body)

    with client.session(token) as session, pytest.raises(GitHubError) as caught:
        session.create_repository("churn", description="", private=False)

    text = f"{caught.value.message} {caught.value.hint}"
    assert "proxy saw Authorization: Bearer *** and Basic ***" in text
    assert token not in text and encoded not in text
