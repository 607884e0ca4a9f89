"""Loopback servers for the publishing tests: git smart HTTP and a fake GitHub REST API.

Both listen on 127.0.0.1 on a free port, run in a daemon thread, and record what they saw.
Nothing here reaches the internet.
"""

from __future__ import annotations

import base64
import functools
import json
import os
import re
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, Self
from urllib.parse import unquote

from portfolio.github import GitHubClient


@functools.cache
def _git_exec_path() -> Path:
    """Where git keeps its helper programs, ``git http-backend`` among them."""
    exec_path = subprocess.run(["git", "--exec-path"], capture_output=True, text=True, check=True)
    return Path(exec_path.stdout.strip())


class _Server:
    """A ``ThreadingHTTPServer`` on a free loopback port, started and stopped with ``with``."""

    handler: type[BaseHTTPRequestHandler]

    def __init__(self) -> None:
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self.handler)
        self._httpd.owner = self  # type: ignore[attr-defined]
        # A short poll interval keeps ``shutdown`` (and so each test's teardown) quick.
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, err: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()


def _basic_credentials(header: str) -> tuple[str, str] | None:
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        user, sep, password = base64.b64decode(value).decode().partition(":")
    except ValueError:
        return None
    return (user, password) if sep else None


class _GitHandler(BaseHTTPRequestHandler):
    """Runs ``git http-backend`` as a CGI program for every request that has the right token."""

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self._serve_git(self.server.owner)  # type: ignore[attr-defined]

    def do_POST(self) -> None:  # noqa: N802
        self._serve_git(self.server.owner)  # type: ignore[attr-defined]

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Keep test output quiet."""

    def _serve_git(self, server: GitServer) -> None:
        credentials = _basic_credentials(self.headers.get("Authorization", ""))
        authorized = credentials is not None and credentials[1] == server.token
        server.requests.append((self.command, self.path, authorized))
        body = self._body()
        if not authorized or credentials is None:
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="git"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        path, _, query = self.path.partition("?")
        env = {
            "PATH": os.environ["PATH"],
            "GIT_PROJECT_ROOT": str(server.root),
            "GIT_HTTP_EXPORT_ALL": "1",
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GATEWAY_INTERFACE": "CGI/1.1",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REQUEST_METHOD": self.command,
            "PATH_INFO": unquote(path),
            "QUERY_STRING": query,
            "CONTENT_TYPE": self.headers.get("Content-Type", ""),
            "CONTENT_LENGTH": str(len(body)),
            "REMOTE_USER": credentials[0] or "git",
            "REMOTE_ADDR": "127.0.0.1",
        }
        if self.headers.get("Content-Encoding"):
            env["HTTP_CONTENT_ENCODING"] = self.headers["Content-Encoding"]
        if self.headers.get("Git-Protocol"):
            env["GIT_PROTOCOL"] = self.headers["Git-Protocol"]
        backend = [str(_git_exec_path() / "git-http-backend")]
        result = subprocess.run(backend, input=body, env=env, capture_output=True, check=False)
        head, payload = re.split(rb"\r?\n\r?\n", result.stdout, maxsplit=1)
        status = 200
        headers = []
        for line in head.decode("latin-1").splitlines():
            name, _, value = line.partition(":")
            if name.lower() == "status":
                status = int(value.split()[0])
            else:
                headers.append((name, value.strip()))
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    self.rfile.readline()
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get("Content-Length", "0") or "0"))


class GitServer(_Server):
    """git smart HTTP (``git http-backend``) over ``root`` with basic auth: any user, ``token``."""

    handler = _GitHandler

    def __init__(self, root: Path, token: str) -> None:
        super().__init__()
        self.root = root
        self.token = token
        self.requests: list[tuple[str, str, bool]] = []

    def create_bare(self, name: str) -> Path:
        """Create an empty bare repository ``root/name`` (e.g. ``octo/churn.git``)."""
        path = self.root / name
        subprocess.run(["git", "init", "--quiet", "--bare", str(path)], check=True)
        return path

    def repo_url(self, name: str) -> str:
        """Return the clean clone URL of ``root/name``."""
        return f"{self.url}/{name}"


def branch_sha(bare: Path, branch: str = "main") -> str | None:
    """Return the commit ``branch`` points to in a bare repository, or None if it has none."""
    result = subprocess.run(
        ["git", "--git-dir", str(bare), "rev-parse", "--verify", "--quiet", f"refs/heads/{branch}"],
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout.strip() or None


@dataclass
class Recorded:
    """One request the fake GitHub received."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class _Canned:
    method: str
    path: str
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


_DOCS = "https://docs.github.com/rest"


_GIT_PATH = re.compile(r"/[^/]+/[^/]+\.git/(?:info/refs|git-upload-pack|git-receive-pack)")


class _GitHubHandler(_GitHandler):
    """Answers the REST endpoints ``publish`` uses the way GitHub documents them.

    Like GitHub Enterprise, one origin serves both: git's smart-HTTP paths go to the git
    server's repositories, everything else to the API.
    """

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self._serve()

    def do_POST(self) -> None:  # noqa: N802
        self._serve()

    def do_PATCH(self) -> None:  # noqa: N802
        self._serve()

    def do_PUT(self) -> None:  # noqa: N802
        self._serve()

    def _serve(self) -> None:
        github: FakeGitHub = self.server.owner  # type: ignore[attr-defined]
        if _GIT_PATH.match(self.path.partition("?")[0]):
            self._serve_git(github.git)
            return
        raw = self.rfile.read(int(self.headers.get("Content-Length", "0") or "0"))
        body = json.loads(raw) if raw else None
        github.requests.append(Recorded(self.command, self.path, dict(self.headers.items()), body))
        status, payload, headers = github.answer(self.command, self.path, self.headers, body)
        data = b"" if status == 204 else json.dumps(payload).encode()  # 204 has no body
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class FakeGitHub(_Server):
    """A loopback GitHub REST API: one user ``login``, the organisations ``orgs``, one token.

    Created repositories become empty bare repositories in ``git``'s folder, served over smart
    HTTP from this server's own origin (so pushes really happen, with the token, as on
    GitHub); ``respond_once`` queues a canned answer (403 rate limit, 5xx...) for the next
    matching call.
    """

    handler = _GitHubHandler

    def __init__(
        self, token: str, git: GitServer, *, login: str = "octo", orgs: tuple[str, ...] = ("acme",)
    ) -> None:
        super().__init__()
        self.token = token
        self.git = git
        self.login = login
        self.orgs = orgs
        self.requests: list[Recorded] = []
        self.repos: dict[str, dict[str, Any]] = {}
        self.topics: dict[str, list[str]] = {}
        self.pages: dict[str, dict[str, Any]] = {}
        self._canned: list[_Canned] = []
        self._lock = threading.Lock()

    def respond_once(
        self, method: str, path: str, status: int, body: Any, headers: dict[str, str] | None = None
    ) -> None:
        """Answer the next ``method path`` call with this response instead of the usual one."""
        self._canned.append(_Canned(method, path, status, body, headers or {}))

    def repo_url(self, name: str) -> str:
        """Return the clean clone URL of ``git.root/name`` on this server's origin."""
        return f"{self.url}/{name}"

    def calls(self, method: str | None = None) -> list[str]:
        """Return ``"METHOD /path"`` for each request received, optionally of one method."""
        return [f"{r.method} {r.path}" for r in self.requests if method in {None, r.method}]

    def add_pages(self, full_name: str, *, build_type: str = "workflow") -> str:
        """Give ``full_name`` a GitHub Pages site, as enabling it by hand does; return its URL."""
        owner, _, name = full_name.partition("/")
        self.pages[full_name] = {
            "url": f"{self.url}/repos/{full_name}/pages",
            "status": None,
            "cname": None,
            "custom_404": False,
            "html_url": f"https://{owner.lower()}.github.io/{name}/",
            "build_type": build_type,
            "source": {"branch": "main", "path": "/"},
            "public": True,
        }
        return str(self.pages[full_name]["html_url"])

    def answer(
        self, method: str, path: str, headers: Any, body: Any
    ) -> tuple[int, Any, dict[str, str]]:
        """Decide the response to one request: canned first, then auth, then the endpoint."""
        with self._lock:
            for canned in self._canned:
                if (canned.method, canned.path) == (method, path):
                    self._canned.remove(canned)
                    return canned.status, canned.body, canned.headers
            if headers.get("Authorization") != f"Bearer {self.token}":
                return 401, {"message": "Bad credentials", "documentation_url": _DOCS}, {}
            return self._route(method, path, body)

    def _route(self, method: str, path: str, body: Any) -> tuple[int, Any, dict[str, str]]:
        not_found = (404, {"message": "Not Found", "documentation_url": _DOCS}, {})
        if (method, path) == ("GET", "/user"):
            return 200, {"login": self.login, "id": 1, "type": "User"}, {}
        if (method, path) == ("POST", "/user/repos"):
            return self._create(self.login, body)
        match = re.fullmatch(r"/orgs/([^/]+)/repos", path)
        if method == "POST" and match:
            return self._create(match[1], body) if match[1] in self.orgs else not_found
        match = re.fullmatch(r"/repos/([^/]+)/([^/]+)(/topics|/pages)?", path)
        if match and f"{match[1]}/{match[2]}" in self.repos:
            full_name = f"{match[1]}/{match[2]}"
            if method == "GET" and not match[3]:
                return 200, self.repos[full_name], {}
            if method == "PATCH" and not match[3]:
                self.repos[full_name].update(body)
                return 200, self.repos[full_name], {}
            if method == "GET" and match[3] == "/topics":
                return 200, {"names": self.topics.get(full_name, [])}, {}
            if method == "PUT" and match[3] == "/topics":
                self.topics[full_name] = list(body["names"])
                return 200, {"names": self.topics[full_name]}, {}
            if match[3] == "/pages":
                return self._pages(method, full_name, body) or not_found
        return not_found

    def _pages(
        self, method: str, full_name: str, body: Any
    ) -> tuple[int, Any, dict[str, str]] | None:
        """Create, read and update a Pages site the way GitHub's REST API documents it."""
        site = self.pages.get(full_name)
        if method == "POST" and site is not None:
            return (
                409,
                {"message": "GitHub Pages is already enabled.", "documentation_url": _DOCS},
                {},
            )
        if method == "POST":
            self.add_pages(full_name, build_type=str(body.get("build_type", "legacy")))
            self.repos[full_name]["has_pages"] = True
            return 201, self.pages[full_name], {}
        if method == "GET" and site is not None:
            return 200, site, {}
        if method == "PUT" and site is not None:
            site.update(body)
            return 204, None, {}
        return None

    def _create(self, owner: str, body: Any) -> tuple[int, Any, dict[str, str]]:
        full_name = f"{owner}/{body['name']}"
        if full_name in self.repos:
            return (
                422,
                {
                    "message": "Repository creation failed.",
                    "errors": [
                        {
                            "resource": "Repository",
                            "code": "custom",
                            "field": "name",
                            "message": "name already exists on this account",
                        }
                    ],
                    "documentation_url": _DOCS,
                },
                {},
            )
        self.git.create_bare(f"{full_name}.git")
        self.repos[full_name] = {
            "id": len(self.repos) + 1,
            "name": body["name"],
            "full_name": full_name,
            "owner": {"login": owner},
            "private": bool(body.get("private", False)),
            "description": body.get("description"),
            "html_url": f"{self.url}/{full_name}",
            "clone_url": self.repo_url(f"{full_name}.git"),
            "default_branch": "main",
            "homepage": body.get("homepage"),
            "has_pages": False,
        }
        return 201, self.repos[full_name], {}


@dataclass
class Loopback:
    """A fake GitHub, the git server behind it, and a client of the tool pointed at it."""

    git: GitServer
    github: FakeGitHub
    client: GitHubClient

    def bare(self, full_name: str) -> Path:
        """Return the bare repository GitHub would hold for ``owner/name``."""
        return self.git.root / f"{full_name}.git"


@contextmanager
def loopback(root: Path, token: str) -> Iterator[Loopback]:
    """Serve a fake GitHub and its git repositories (under ``root``) that accept ``token``."""
    root.mkdir(parents=True, exist_ok=True)
    with GitServer(root, token) as git_server, FakeGitHub(token, git_server) as github:
        yield Loopback(git_server, github, GitHubClient(github.url, sleep=lambda _s: None))
