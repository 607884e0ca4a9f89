"""The few GitHub REST calls ``publish`` and ``showcase`` need.

Who am I, create or read a repository, set its topics, description and homepage, and enable
GitHub Pages.

The client is passed in, so tests point it at a loopback server; the token is handed to one
session at a time and never stored. Every non-2xx answer becomes a one-line ``GitHubError``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

from portfolio import __version__
from portfolio.errors import GitHubAuthError, GitHubError
from portfolio.redact import redact

if TYPE_CHECKING:
    import httpx

DEFAULT_API_URL = "https://api.github.com"
API_VERSION = "2022-11-28"
TOKEN_VARIABLES = ("GITHUB_TOKEN", "GH_TOKEN")
AUTH_HINT = (
    "create a token at https://github.com/settings/tokens (classic: scope `repo`; fine-grained: "
    "repository permissions Administration and Contents, read and write), then "
    "`export GITHUB_TOKEN=<token>`, or run `gh auth login`"
)
#: Answers worth a second try for a call that can be repeated safely.
_RETRY_STATUSES = frozenset({500, 502, 503, 504})
_TOPIC_MAX = 50


@dataclass(frozen=True)
class Repository:
    """A GitHub repository as ``publish`` needs it: where to push and where to look."""

    full_name: str
    clone_url: str
    html_url: str
    private: bool


@dataclass(frozen=True)
class RepositoryAbout(Repository):
    """A repository with the "About" fields a profile page shows: description and homepage."""

    description: str = ""
    homepage: str = ""


@dataclass(frozen=True)
class PagesSite:
    """A repository's GitHub Pages site: its URL and how it is built (``workflow``: by Actions)."""

    url: str
    build_type: str | None
    created: bool = False


def api_url() -> str:
    """Return the API base URL: ``GITHUB_API_URL`` (GitHub Enterprise, tests) or github.com's."""
    return (os.environ.get("GITHUB_API_URL") or DEFAULT_API_URL).rstrip("/")


_DEFAULT_PORTS = {"http": 80, "https": 443}


def url_origin(url: str) -> tuple[str, str, int | None]:
    """Return the scheme, host and port of ``url``, the port made explicit for http(s).

    Raises ``ValueError`` for a port that is not a number.
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    return scheme, (parts.hostname or "").lower(), parts.port or _DEFAULT_PORTS.get(scheme)


def git_origin(api: str) -> tuple[str, str, int | None]:
    """Return the scheme, host and port serving git for the API at ``api``.

    github.com's API lives on ``api.github.com``; GitHub Enterprise serves both from one
    origin (``https://HOST/api/v3``). The token is only ever sent to this origin.
    """
    scheme, host, port = url_origin(api)
    return scheme, "github.com" if host == "api.github.com" else host, port


def token_from_environment() -> str:
    """Find a GitHub token: ``GITHUB_TOKEN``, ``GH_TOKEN``, then ``gh auth token``.

    Raises ``GitHubAuthError`` saying how to create one, and which permissions it needs,
    when none is found.
    """
    for name in TOKEN_VARIABLES:
        token = os.environ.get(name, "").strip()
        if token:
            return token
    gh = shutil.which("gh")
    note = ""
    if gh is not None:
        command = [gh, "auth", "token"]
        _scheme, host, _port = git_origin(api_url())
        if host != "github.com":
            command += ["--hostname", host]
        try:
            result = subprocess.run(
                command, capture_output=True, text=True, timeout=15, check=False
            )
        except (OSError, subprocess.TimeoutExpired):
            result = None
        if result is not None and result.returncode == 0 and result.stdout.strip():
            return result.stdout.strip()
        note = "; the GitHub CLI is installed but not logged in"
    raise GitHubAuthError(
        f"no GitHub token found (GITHUB_TOKEN, GH_TOKEN or `gh auth token`){note}",
        hint=f"{AUTH_HINT}; or push to any git host with --remote URL",
    )


def normalise_topics(topics: Iterable[str]) -> list[str]:
    """Return ``topics`` as GitHub accepts them: lowercase, letters, digits and hyphens, unique."""
    seen: list[str] = []
    for topic in topics:
        clean = re.sub(r"[^a-z0-9]+", "-", topic.lower()).strip("-")[:_TOPIC_MAX].rstrip("-")
        if clean and clean not in seen:
            seen.append(clean)
    return seen


class GitHubClient:
    """Where the API is and how hard to try; ``session(token)`` makes the calls.

    Calls that can be repeated safely are retried on network errors and 5xx answers with
    exponential backoff; creating a repository is retried only when the request never left.
    Each attempt may take ``timeout`` seconds (``connect_timeout`` to connect), and one call
    with all its retries at most ``deadline`` seconds: an API that accepts the connection and
    never answers fails in that time, not after four full timeouts.
    """

    def __init__(
        self,
        base_url: str | None = None,
        *,
        timeout: float = 10.0,
        connect_timeout: float = 5.0,
        deadline: float = 20.0,
        retries: int = 3,
        backoff: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.base_url = (base_url or api_url()).rstrip("/")
        self.timeout = timeout
        self.connect_timeout = connect_timeout
        self.deadline = deadline
        self.retries = retries
        self.backoff = backoff
        self.sleep = sleep
        self.clock = clock

    def session(self, token: str) -> GitHubSession:
        """Open a session that authenticates every call with ``token``; use it in ``with``."""
        return GitHubSession(self, token)


class GitHubSession:
    """One authenticated connection to the API; closing it forgets the token."""

    def __init__(self, client: GitHubClient, token: str) -> None:
        import httpx

        self._client = client
        self._token = token
        self._http = httpx.Client(
            base_url=client.base_url,
            timeout=httpx.Timeout(client.timeout, connect=client.connect_timeout),
            headers={
                "Authorization": f"Bearer {token}",
                "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": API_VERSION,
                "User-Agent": f"portfolio/{__version__}",
            },
        )

    def __enter__(self) -> GitHubSession:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, err: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._http.close()
        self._token = ""

    def login(self) -> str:
        """Return the login of the token's owner; raises ``GitHubAuthError`` for a bad token."""
        response = self._request("GET", "/user", doing="checking who you are")
        if response.status_code != 200:
            raise self._error(response, doing="checking who you are")
        return str(response.json()["login"])

    def create_repository(
        self, name: str, *, description: str, private: bool, org: str | None = None
    ) -> Repository | None:
        """Create an empty repository for the user, or for ``org``; None if the name is taken.

        Raises ``GitHubError`` for an unknown organisation (404) and any other failure.
        """
        path = f"/orgs/{quote(org, safe='')}/repos" if org else "/user/repos"
        body = {"name": name, "description": description, "private": private, "auto_init": False}
        doing = f"creating the repository {name!r}"
        response = self._request("POST", path, json=body, doing=doing, idempotent=False)
        if response.status_code == 201:
            return _repository(response.json())
        if response.status_code == 422 and "already exists" in _message(response).lower():
            return None
        if response.status_code == 404 and org:
            raise GitHubError(
                f"GitHub organisation {org!r} was not found, or the token cannot see it",
                hint="check the spelling of --owner (omit it to publish under your account); a "
                "fine-grained token must have that organisation as its resource owner",
            )
        raise self._error(response, doing=doing)

    def repository(self, owner: str, name: str) -> Repository:
        """Return an existing repository; raises ``GitHubError`` when it cannot be read."""
        doing = f"reading the repository {owner}/{name}"
        path = f"/repos/{quote(owner, safe='')}/{quote(name, safe='')}"
        response = self._request("GET", path, doing=doing)
        if response.status_code != 200:
            raise self._error(response, doing=doing)
        return _repository(response.json())

    def repository_about(self, owner: str, name: str) -> RepositoryAbout | None:
        """Return a repository with its description and homepage, or None if there is none.

        Raises ``GitHubError`` for any other failure than 404.
        """
        doing = f"reading the repository {owner}/{name}"
        response = self._request("GET", _repo_path(f"{owner}/{name}"), doing=doing)
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise self._error(response, doing=doing)
        data = response.json()
        base = _repository(data)
        return RepositoryAbout(
            full_name=base.full_name,
            clone_url=base.clone_url,
            html_url=base.html_url,
            private=base.private,
            description=str(data.get("description") or ""),
            homepage=str(data.get("homepage") or ""),
        )

    def update_repository(self, full_name: str, fields: dict[str, str]) -> None:
        """Change the repository's settings (``description``, ``homepage``...) with one PATCH."""
        doing = f"updating {', '.join(fields)} of {full_name}"
        response = self._request("PATCH", _repo_path(full_name), json=fields, doing=doing)
        if response.status_code != 200:
            raise self._error(response, doing=doing)

    def topics(self, full_name: str) -> list[str]:
        """Return the repository's topics."""
        doing = f"reading the topics of {full_name}"
        response = self._request("GET", _repo_path(full_name, "topics"), doing=doing)
        if response.status_code != 200:
            raise self._error(response, doing=doing)
        return [str(topic) for topic in response.json().get("names", [])]

    def pages_site(self, full_name: str) -> PagesSite | None:
        """Return the repository's GitHub Pages site, or None when Pages is not enabled."""
        doing = f"reading the GitHub Pages site of {full_name}"
        response = self._request("GET", _repo_path(full_name, "pages"), doing=doing)
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise self._error(response, doing=doing)
        return _pages_site(response.json())

    def enable_pages(self, full_name: str) -> PagesSite:
        """Have GitHub Pages serve what the repository's Actions workflow deploys; idempotent.

        A site that already exists (409) is kept, and switched to the Actions build if it is
        built from a branch. Safe to retry: a repeated request finds the site it created.
        Raises ``GitHubError`` when Pages cannot be enabled (403 plan or permission, 409
        without a site, 422).
        """
        doing = f"enabling GitHub Pages for {full_name}"
        path = _repo_path(full_name, "pages")
        response = self._request("POST", path, json={"build_type": "workflow"}, doing=doing)
        if response.status_code == 201:
            return replace(_pages_site(response.json()), created=True)
        if response.status_code == 409 and (site := self.pages_site(full_name)) is not None:
            if site.build_type == "workflow":
                return site
            switching = f"switching the GitHub Pages build of {full_name} to GitHub Actions"
            update = self._request("PUT", path, json={"build_type": "workflow"}, doing=switching)
            if update.status_code != 204:
                raise self._error(update, doing=switching)
            return replace(site, build_type="workflow")
        raise self._error(response, doing=doing)

    def set_topics(self, full_name: str, topics: list[str]) -> list[str]:
        """Replace the repository's topics; return them as GitHub stored them."""
        owner, _, name = full_name.partition("/")
        path = f"/repos/{quote(owner, safe='')}/{quote(name, safe='')}/topics"
        doing = f"setting the topics of {full_name}"
        response = self._request("PUT", path, json={"names": topics}, doing=doing)
        if response.status_code != 200:
            raise self._error(response, doing=doing)
        return [str(topic) for topic in response.json().get("names", topics)]

    def _error(self, response: httpx.Response, *, doing: str) -> GitHubError:
        """Explain a failed call; an API that echoes the token does not get it printed."""
        err = _error(response, doing=doing)
        return type(err)(redact(err.message, self._token), hint=err.hint, exit_code=err.exit_code)

    def _request(
        self, method: str, path: str, *, doing: str, json: Any = None, idempotent: bool = True
    ) -> httpx.Response:
        import httpx

        client = self._client
        started = client.clock()
        for attempt in range(client.retries + 1):
            left = client.deadline - (client.clock() - started)
            wait = client.backoff * 2**attempt
            last = attempt == client.retries or left <= 0
            timeout = httpx.Timeout(
                max(min(client.timeout, left), 0.001),
                connect=max(min(client.connect_timeout, left), 0.001),
            )
            try:
                response = self._http.request(method, path, json=json, timeout=timeout)
            except httpx.TransportError as err:
                never_sent = isinstance(err, httpx.ConnectError | httpx.ConnectTimeout)
                out_of_time = client.clock() - started + wait > client.deadline
                if last or out_of_time or not (idempotent or never_sent):
                    raise self._unreachable(err, doing=doing) from err
            else:
                if last or not idempotent or response.status_code not in _RETRY_STATUSES:
                    return response
                if client.clock() - started + wait > client.deadline:
                    return response
            client.sleep(wait)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _unreachable(self, err: Exception, *, doing: str) -> GitHubError:
        import httpx

        base = self._client.base_url
        if isinstance(err, httpx.TimeoutException):
            what = f"the GitHub API at {base} did not answer in time while {doing}"
        else:
            detail = redact(str(err) or type(err).__name__, self._token)
            what = f"cannot reach the GitHub API at {base} while {doing}: {detail}"
        return GitHubError(
            what,
            hint="check your network connection (and GITHUB_API_URL if set), "
            "then run the same command again",
        )


def _repository(data: dict[str, Any]) -> Repository:
    return Repository(
        full_name=str(data["full_name"]),
        clone_url=str(data["clone_url"]),
        html_url=str(data["html_url"]),
        private=bool(data.get("private", False)),
    )


def _repo_path(full_name: str, *parts: str) -> str:
    """Return the API path of ``owner/name`` (and a sub-resource), each part URL-quoted."""
    owner, _, name = full_name.partition("/")
    return "/".join(["", "repos", quote(owner, safe=""), quote(name, safe=""), *parts])


def _pages_site(data: dict[str, Any]) -> PagesSite:
    build_type = data.get("build_type")
    return PagesSite(
        url=str(data.get("html_url") or ""), build_type=str(build_type) if build_type else None
    )


def _message(response: httpx.Response) -> str:
    """GitHub's own explanation: ``message`` plus each entry of ``errors``, on one line."""
    try:
        data = response.json()
    except ValueError:
        return " ".join(response.text.split())[:200]
    if not isinstance(data, dict):
        return ""
    parts = [str(data.get("message", ""))]
    for item in data.get("errors", []) or []:
        if isinstance(item, dict):
            parts.append(str(item.get("message") or item.get("code", "")))
        else:
            parts.append(str(item))
    return "; ".join(part for part in parts if part)[:300]


def _rate_limit_reset(response: httpx.Response) -> str | None:
    """Say when a rate-limited call may be tried again, or None if this 403 is not one."""
    headers = response.headers
    retry_after = headers.get("Retry-After", "")
    if retry_after.isdigit():
        return f"in {retry_after} seconds"
    if headers.get("X-RateLimit-Remaining") == "0" or "rate limit" in _message(response).lower():
        reset = headers.get("X-RateLimit-Reset", "")
        if reset.isdigit():
            return "after " + datetime.fromtimestamp(int(reset), UTC).strftime("%Y-%m-%d %H:%M UTC")
        return "in an hour"
    return None


def _error(response: httpx.Response, *, doing: str) -> GitHubError:
    status, message = response.status_code, _message(response)
    if status == 401:
        return GitHubAuthError(
            f"GitHub refused the token while {doing} (401: {message or 'Bad credentials'})",
            hint=f"the token is wrong, expired or revoked; {AUTH_HINT}",
        )
    if status in {403, 429}:
        when = _rate_limit_reset(response)
        if when is not None:
            return GitHubError(
                f"GitHub rate limit reached while {doing}; try again {when}",
                hint="nothing else is needed: run the same command again then",
            )
    if status == 403:
        needed = response.headers.get("X-Accepted-OAuth-Scopes", "")
        return GitHubAuthError(
            f"the GitHub token is not allowed to do this: {doing} (403: {message})",
            hint=(f"it needs the scope {needed!r}; " if needed else "") + AUTH_HINT,
        )
    return GitHubError(
        f"GitHub answered {status} while {doing}: {message or response.reason_phrase}",
        hint="see https://www.githubstatus.com if this persists, then run the same command again",
    )
