"""git through GitPython: identity, commits, the remote and the push; no credential on disk.

GitPython drives the git binary here (``repo.git.add``/``commit``): its own index writer is
several times slower for a freshly generated tree. A token reaches git only through the
environment of the one process that needs it, as an ``http.<origin>.extraHeader`` passed with
``GIT_CONFIG_COUNT``: never on a command line, in ``.git/config``, in a URL or in a file.
"""

from __future__ import annotations

import base64
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from portfolio.errors import GitError

if TYPE_CHECKING:
    import git

DEFAULT_BRANCH = "main"


@dataclass(frozen=True)
class Identity:
    """Who a commit is from."""

    name: str
    email: str


@dataclass(frozen=True)
class CommitResult:
    """The first commit: its id, branch, and whether the answers' author had to stand in."""

    sha: str
    branch: str
    identity_from_answers: bool


def require_git() -> None:
    """Raise ``GitError`` with a way out when the git executable is not installed."""
    if shutil.which(os.environ.get("GIT_PYTHON_GIT_EXECUTABLE", "git")) is None:
        raise GitError(
            "git is not installed (no `git` on PATH)",
            hint="install git (https://git-scm.com/downloads), or pass --no-git to skip the repo",
        )


def configured_identity() -> Identity | None:
    """Return ``user.name``/``user.email`` from git config when both are set, else None.

    Used for the author defaults; a missing git is not an error here, just no default.
    """
    if shutil.which("git") is None:
        return None
    import git

    try:
        lines = git.Git().config("--get-regexp", r"^user\.(name|email)$").splitlines()
    except git.GitCommandError:
        return None
    values = dict(line.partition(" ")[::2] for line in lines)
    name, email = values.get("user.name", "").strip(), values.get("user.email", "").strip()
    return Identity(name, email) if name and email else None


def init_and_commit(path: Path, message: str, *, fallback: Identity) -> CommitResult:
    """Create a repository on ``main`` in ``path`` and commit everything in it.

    When git has no identity, ``fallback`` (the answers' author) signs the commit through the
    environment of that one git process; the user's git config is never written. The commit is
    tried first as is, so the usual case costs one git process, not an identity probe too.
    Raises ``GitError`` with git's own message when a git command fails.
    """
    require_git()
    import git

    try:
        repo = git.Repo.init(path, initial_branch=DEFAULT_BRANCH)
        repo.git.add("--all")
        use_fallback = False
        try:
            repo.git.commit("--quiet", "--no-verify", "-m", message)
        except git.GitCommandError as err:
            if not _is_identity_error(err):
                raise
            use_fallback = True
            repo.git.commit("--quiet", "--no-verify", "-m", message, env=_identity_env(fallback))
        sha = repo.head.commit.hexsha
    except git.GitCommandError as err:
        raise GitError(
            f"git {err.command[1] if len(err.command) > 1 else ''} failed: {_trim(err.stderr)}",
            hint="fix the git problem above, or pass --no-git and commit yourself",
        ) from err
    return CommitResult(sha=sha, branch=DEFAULT_BRANCH, identity_from_answers=use_fallback)


def _is_identity_error(err: git.GitCommandError) -> bool:
    stderr = str(err.stderr or "")
    return "tell me who you are" in stderr or "unable to auto-detect email address" in stderr


def _identity_env(identity: Identity) -> dict[str, str]:
    return {
        "GIT_AUTHOR_NAME": identity.name,
        "GIT_AUTHOR_EMAIL": identity.email,
        "GIT_COMMITTER_NAME": identity.name,
        "GIT_COMMITTER_EMAIL": identity.email,
    }


def _trim(stderr: str | None, limit: int = 300) -> str:
    text = " ".join((stderr or "").replace("stderr:", "").split()).strip("' ")
    return text if len(text) <= limit else text[: limit - 1] + "…"


#: ``GIT_CONFIG_COUNT`` (how the token reaches git without a command line) arrived in git 2.31.
MIN_GIT_FOR_TOKEN = (2, 31)
_REDACTED = "***"


@dataclass(frozen=True)
class PushResult:
    """What was pushed where: the remote's clean URL, the branch and its commit."""

    url: str
    branch: str
    sha: str


def check_project_repo(path: Path) -> None:
    """Check that ``path`` is the top of a git repository with ``main`` checked out.

    Raises ``GitError`` when it is not a repository, has no commit yet, or is on another
    branch: ``publish`` pushes ``main``.
    """
    require_git()
    import git

    commit_first = "git init -b main && git add -A && git commit -m 'Initial commit'"
    try:
        with git.Repo(path) as repo:
            if not repo.head.is_valid():
                raise GitError(f"{path} has no commit yet", hint=f"commit first: {commit_first}")
            if repo.head.is_detached:
                raise GitError(f"{path} is not on a branch", hint=f"git switch {DEFAULT_BRANCH}")
            branch = repo.active_branch.name
    except (git.InvalidGitRepositoryError, git.NoSuchPathError) as err:
        raise GitError(
            f"{path} is not a git repository", hint=f"create one: {commit_first}"
        ) from err
    if branch != DEFAULT_BRANCH:
        raise GitError(
            f"{path} is on branch {branch!r}; publish pushes {DEFAULT_BRANCH!r}",
            hint=f"git switch {DEFAULT_BRANCH} (or rename yours: git branch -m {DEFAULT_BRANCH})",
        )


def uncommitted_changes(path: Path) -> list[str]:
    """Return ``git status --porcelain`` lines: modified, staged and untracked files."""
    import git

    with git.Repo(path) as repo:
        try:
            status = str(repo.git.status("--porcelain", "--untracked-files=normal"))
        except git.GitCommandError as err:
            raise GitError(f"git status failed in {path}: {_trim(err.stderr)}") from err
    return status.splitlines()


def commit_file(path: Path, relative: str, message: str, *, fallback: Identity) -> str:
    """Commit the working-tree content of one tracked file, whatever else is staged; return the sha.

    ``git commit -- <file>`` leaves the user's other changes, staged or not, out of the commit.
    """
    import git

    args = ("--quiet", "--no-verify", "-m", message, "--", relative)
    with git.Repo(path) as repo:
        try:
            try:
                repo.git.commit(*args)
            except git.GitCommandError as err:
                if not _is_identity_error(err):
                    raise
                repo.git.commit(*args, env=_identity_env(fallback))
            return repo.head.commit.hexsha
        except git.GitCommandError as err:
            raise GitError(f"git commit of {relative} failed: {_trim(err.stderr)}") from err


def set_origin(path: Path, url: str) -> str | None:
    """Point ``origin`` at ``url`` (clean: no credentials); return its previous URL, if any.

    Raises ``GitError`` for a URL with a password or a transport that can run commands.
    """
    import git

    check_remote_url(url)
    with git.Repo(path) as repo:
        try:
            if "origin" in [remote.name for remote in repo.remotes]:
                previous = repo.remote("origin").url
                if previous != url:
                    repo.git.remote("set-url", "origin", url)
                return previous
            repo.create_remote("origin", url)
        except git.GitCommandError as err:
            raise GitError(f"cannot set the remote origin: {_trim(err.stderr)}") from err
    return None


def check_remote_url(url: str) -> None:
    """Refuse remote URLs that embed a password or use git's command-running transports."""
    import git

    if not url or url.startswith("-"):
        raise GitError(f"{url!r} is not a git remote URL", hint="e.g. https://host/owner/name.git")
    if "://" in url and urlsplit(url).password is not None:
        raise GitError(
            "the remote URL holds a password; it would be stored in .git/config",
            hint="pass the URL without credentials; set GITHUB_TOKEN for GitHub, or a git "
            "credential helper or an ssh key for other hosts",
        )
    try:
        git.Git.check_unsafe_protocols(url)
    except git.UnsafeProtocolError as err:
        raise GitError(
            f"refusing the remote URL: {err}", hint="use an https, ssh or path URL"
        ) from err


def remote_is_empty(url: str, *, token: str | None = None) -> bool:
    """Say whether the repository at ``url`` has no refs at all (safe to push a first commit to).

    Raises ``GitError`` (scrubbed of the token) when git cannot read it.
    """
    require_git()
    import git

    check_remote_url(url)
    runner = git.Git()
    try:
        refs = str(runner.ls_remote("--", url, env=network_environment(url, token, runner)))
    except git.GitCommandError as err:
        raise _remote_error(err, url, token, action="read") from err
    return not refs.strip()


def push(
    path: Path, *, token: str | None = None, progress: Callable[[str], None] | None = None
) -> PushResult:
    """Push ``main`` to ``origin`` and make it the upstream; report git's stages to ``progress``.

    ``token``, when given, is sent only to the remote's own origin, by this one git process.
    Raises ``GitError`` (trimmed, scrubbed of the token) when git fails or the remote refuses.
    """
    require_git()
    import git

    with git.Repo(path) as repo:
        url = repo.remote("origin").url
        env = network_environment(url, token, repo.git)
        refspec = f"{DEFAULT_BRANCH}:{DEFAULT_BRANCH}"
        try:
            results = repo.remote("origin").push(
                refspec, progress=_progress_forwarder(progress), env=env, set_upstream=True
            )
        except git.GitCommandError as err:
            raise _remote_error(err, url, token, action="push to") from err
        refused = [info for info in results if info.flags & info.ERROR]
        if refused or results.error is not None:
            summary = refused[0].summary.strip() if refused else _trim(str(results.error))
            raise GitError(
                f"{_display(url)} refused the push of {DEFAULT_BRANCH}: {_scrub(summary, token)}",
                hint="the remote has commits this project lacks: push to an empty repository, "
                f"or merge them first (git pull origin {DEFAULT_BRANCH})",
            )
        sha = repo.head.commit.hexsha
    return PushResult(url=url, branch=DEFAULT_BRANCH, sha=sha)


def network_environment(url: str, token: str | None, runner: git.Git) -> dict[str, str]:
    """Environment for one git process that talks to ``url``: never prompt, token if given.

    The token becomes ``http.<origin>.extraHeader`` through ``GIT_CONFIG_COUNT``, scoped to the
    remote's scheme, host and port; credential helpers are switched off for that process so the
    user's stored credentials are neither used nor erased when the token is refused.
    """
    env = {"GIT_TERMINAL_PROMPT": "0", "GIT_TRACE_REDACT": "1"}
    user_ssh = os.environ.get("GIT_SSH_COMMAND") or os.environ.get("GIT_SSH")
    if not (user_ssh or _configured_ssh(runner)):
        env["GIT_SSH_COMMAND"] = "ssh -o BatchMode=yes"
    if token is None:
        return env
    if runner.version_info[:2] < MIN_GIT_FOR_TOKEN:
        version = ".".join(map(str, MIN_GIT_FOR_TOKEN))
        raise GitError(
            f"git {version} or newer is needed to hand it the token safely",
            hint="upgrade git (https://git-scm.com/downloads)",
        )
    parts = urlsplit(url)
    origin = f"{parts.scheme}://{parts.hostname}" + (f":{parts.port}" if parts.port else "") + "/"
    config = [(f"http.{origin}.extraHeader", _auth_header(token)), ("credential.helper", "")]
    start = int(os.environ.get("GIT_CONFIG_COUNT", "0") or "0")
    for index, (key, value) in enumerate(config, start):
        env[f"GIT_CONFIG_KEY_{index}"] = key
        env[f"GIT_CONFIG_VALUE_{index}"] = value
    env["GIT_CONFIG_COUNT"] = str(start + len(config))
    env["GIT_ASKPASS"] = ""
    return env


def _auth_header(token: str) -> str:
    """Build the header GitHub (and most git hosts) accept for a token over basic auth."""
    return "Authorization: Basic " + base64.b64encode(f"x-access-token:{token}".encode()).decode()


def _configured_ssh(runner: git.Git) -> bool:
    import git

    try:
        return bool(runner.config("--get", "core.sshCommand").strip())
    except git.GitCommandError:
        return False


def _progress_forwarder(report: Callable[[str], None] | None) -> git.RemoteProgress | None:
    """Turn git's progress into one line per finished stage ("Writing objects: ..., done.")."""
    if report is None:
        return None
    forward = report
    import git

    class Forwarder(git.RemoteProgress):
        def update(self, op_code: int, *_args: object, **_kwargs: object) -> None:
            if op_code & self.END and self._cur_line:
                forward(self._cur_line.strip())

    return Forwarder()


_AUTH_FAILURES = ("terminal prompts disabled", "authentication failed", "error: 401", "error: 403")
_MISSING_REPOSITORY = (
    "does not appear to be a git repository",
    "repository not found",
    "error: 404",
)


def _remote_error(
    err: git.GitCommandError, url: str, token: str | None, *, action: str
) -> GitError:
    """Explain a failed network git command in one line, scrubbed of the token."""
    stderr = _scrub(str(err.stderr or ""), token)
    lowered = stderr.lower()
    where = _display(url)
    if any(s in lowered for s in _AUTH_FAILURES):
        if token is not None:
            return GitError(
                f"{where} refused the GitHub token (cannot {action} it)",
                hint="check that the token is valid and may write to the repository (classic: "
                "scope `repo`; fine-grained: Contents read and write)",
            )
        return GitError(
            f"git has no credentials to {action} {where}",
            hint="set up a git credential helper (for GitHub: `gh auth setup-git`) or use an "
            "ssh URL; git is told not to prompt, so it stops instead of waiting",
        )
    if "permission denied (publickey" in lowered or "host key verification failed" in lowered:
        return GitError(
            f"ssh could not log in to {action} {where}",
            hint="check your ssh key with `ssh -T <host>`; git runs ssh in batch mode, "
            "so it never prompts",
        )
    if any(s in lowered for s in _MISSING_REPOSITORY):
        return GitError(
            f"no git repository at {where}",
            hint="create an empty repository there first, or check the URL",
        )
    return GitError(
        f"git could not {action} {where}: {_trim(stderr)}",
        hint="fix the problem above and run the same command again",
    )


def _display(url: str) -> str:
    """Return the URL without any user part, for messages."""
    if "://" not in url:
        return url
    parts = urlsplit(url)
    return parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()


def _scrub(text: str, token: str | None) -> str:
    """Remove the token, in clear or as its Basic header, from text shown to the user."""
    if not token:
        return text
    for secret in (token, _auth_header(token).removeprefix("Authorization: Basic ")):
        text = text.replace(secret, _REDACTED)
    return text


@dataclass(frozen=True)
class RepositoryState:
    """What `portfolio check` needs to know about a project's repository."""

    files: tuple[str, ...]
    tracked: frozenset[str]
    dirty: tuple[str, ...]
    branch: str | None
    remote: str | None
    unpushed: int | None


def repository_state(path: Path) -> RepositoryState | None:
    """Describe the repository at ``path``, or return None when it is not one (or git is absent).

    ``files`` are the tracked files plus the untracked ones git does not ignore: what a commit
    would publish. ``unpushed`` is None when the branch has no upstream.
    """
    if shutil.which("git") is None or not (path / ".git").exists():
        return None
    import git

    try:
        repo = git.Repo(path)
        tracked = repo.git.ls_files("-z").split("\0")
        untracked = repo.git.ls_files("-z", "--others", "--exclude-standard").split("\0")
        dirty = tuple(line for line in repo.git.status("--porcelain").splitlines() if line)
        branch = None if repo.head.is_detached else repo.active_branch.name
        remote = repo.remotes[0].name if repo.remotes else None
        unpushed: int | None = None
        if branch and repo.active_branch.tracking_branch() is not None:
            unpushed = int(repo.git.rev_list("--count", "@{upstream}..HEAD"))
    except (git.GitCommandError, git.InvalidGitRepositoryError, ValueError) as err:
        raise GitError(f"cannot read the git repository in {path}: {err}") from err
    return RepositoryState(
        files=tuple(sorted(name for name in {*tracked, *untracked} if name)),
        tracked=frozenset(name for name in tracked if name),
        dirty=tuple(line[3:] for line in dirty),
        branch=branch,
        remote=remote,
        unpushed=unpushed,
    )
