"""git: identity, the first commit, the remote, the push and history; no credential on disk.

GitPython reads repositories here; commands that write or talk to a remote run the git binary
through ``run_git``, because GitPython neither stops its git process when interrupted (it
would go on writing into a staging folder being removed) nor passes descriptors to it, and
its push loses the remote's reason for a refusal. A token reaches git only through a pipe
read by a credential helper of the one process that needs it (``network_environment``):
never on a command line, in the environment, ``.git/config``, a URL, a file or a hook.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any
from urllib.parse import urlsplit

from portfolio.errors import GitError
from portfolio.interrupts import shielded
from portfolio.redact import TOKEN_USER, redact

if TYPE_CHECKING:
    pass

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
    if shutil.which(_git_executable()) is None:
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


def init_and_commit(
    path: Path,
    message: str,
    *,
    fallback: Identity,
    before_commit: Callable[[str], object] | None = None,
) -> CommitResult:
    """Create a repository on ``main`` in ``path`` and commit everything in it.

    When git has no identity, ``fallback`` (the answers' author) signs the commit through the
    environment of that one git process; the user's git config is never written. The commit is
    tried first as is, so the usual case costs one git process, not an identity probe too.
    ``before_commit``, when given, is called with the tree id of the files staged so far, and
    what it writes is committed too: the answers file records the pristine render's tree that
    way (a file cannot hold the id of a tree that contains it).
    The git processes run through ``run_git``, so an interruption stops them before it
    propagates (GitPython would leave them writing into a folder being removed).
    Raises ``GitError`` with git's own message when a git command fails.
    """
    require_git()
    run_git("init", "--quiet", f"--initial-branch={DEFAULT_BRANCH}", cwd=path)
    run_git("add", "--all", cwd=path)
    if before_commit is not None:
        before_commit(run_git("write-tree", cwd=path).stdout.strip())
        run_git("add", "--all", cwd=path)
    commit = ("commit", "--quiet", "--no-verify", "-m", message)
    use_fallback = False
    try:
        run_git(*commit, cwd=path)
    except GitError as err:
        if not _lacks_identity(err.detail):
            raise
        use_fallback = True
        run_git(*commit, cwd=path, env=_identity_env(fallback))
    sha = run_git("rev-parse", "HEAD", cwd=path).stdout.strip()
    return CommitResult(sha=sha, branch=DEFAULT_BRANCH, identity_from_answers=use_fallback)


def run_git(
    *args: str,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    pass_fds: tuple[int, ...] = (),
    check: bool = True,
) -> subprocess.CompletedProcess[str]:
    """Run one git command to completion and return its output.

    ``env`` adds to this process's environment. Whatever interrupts the wait (Ctrl-C, a
    signal turned into an exception), the git process is killed and reaped before the
    exception goes on, so it never outlives the caller's clean-up. With ``check``, a non-zero
    exit raises ``GitError`` whose ``detail`` is git's stderr.
    """
    command = [_git_executable(), *args]
    process = subprocess.Popen(
        command,
        cwd=cwd,
        env={**os.environ, **env} if env else None,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        errors="replace",
        pass_fds=pass_fds,
    )
    try:
        stdout, stderr = process.communicate()
    except BaseException:
        _stop(process)
        raise
    result = subprocess.CompletedProcess(command, process.returncode, stdout, stderr)
    if check and result.returncode != 0:
        raise GitError(
            f"git {args[0]} failed: {_trim(stderr)}",
            hint="fix the git problem above, or pass --no-git and commit yourself",
            detail=stderr,
        )
    return result


def _stop(process: subprocess.Popen[Any]) -> None:
    """Kill ``process`` if it still runs and reap it, holding stop signals off meanwhile."""
    with shielded():
        if process.poll() is None:
            process.kill()
        process.wait()


def _git_executable() -> str:
    return os.environ.get("GIT_PYTHON_GIT_EXECUTABLE", "git")


def _lacks_identity(stderr: str) -> bool:
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


#: ``GIT_CONFIG_COUNT`` (how the helper reaches git without a command line) arrived in git 2.31.
MIN_GIT_FOR_TOKEN = (2, 31)


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
    check_remote_url(url)
    with network_environment(url, token) as (env, fds):
        result = run_git("ls-remote", "--", url, env=env, pass_fds=fds, check=False)
    if result.returncode != 0:
        raise _remote_error(result.stderr, url, token, action="read")
    return not result.stdout.strip()


def origin_url(path: Path) -> str | None:
    """Return the URL of the project's ``origin`` remote, or None when it has none."""
    result = run_git("remote", "get-url", "origin", cwd=path, check=False)
    return result.stdout.strip() if result.returncode == 0 else None


def push(
    path: Path, *, token: str | None = None, progress: Callable[[str], None] | None = None
) -> PushResult:
    """Push ``main`` to ``origin`` and make it the upstream; report git's stages to ``progress``.

    ``token``, when given, is sent only to the remote's own origin, by this one git process,
    and never reaches the hooks the push runs (see ``network_environment``). Raises
    ``GitError`` (trimmed, scrubbed of the token) when git fails or the remote refuses,
    quoting the remote's own reason.
    """
    require_git()
    url = origin_url(path)
    if url is None:
        raise GitError(f"{path} has no remote named origin", hint="set one: git remote add ...")
    report = progress or _ignore_line
    remote_lines: list[str] = []

    def on_line(line: str) -> None:
        if line.startswith("remote:"):
            remote_lines.append(line.removeprefix("remote:").strip())
        elif line.endswith("done."):
            report(line)

    args = ("push", "--porcelain", "--progress", "--set-upstream", "origin", _REFSPEC)
    with network_environment(url, token) as (env, fds):
        code, stdout, stderr = _run_streaming(
            args, cwd=path, env=env, pass_fds=fds, on_line=on_line
        )
    status = _ref_status(stdout, f"refs/heads/{DEFAULT_BRANCH}")
    if status is not None and status[0] == "!":
        raise _refusal(url, status[1], [redact(line, token) for line in remote_lines if line])
    if code != 0:
        raise _remote_error("\n".join(stderr), url, token, action="push to")
    sha = run_git("rev-parse", "HEAD", cwd=path).stdout.strip()
    return PushResult(url=url, branch=DEFAULT_BRANCH, sha=sha)


_REFSPEC = f"{DEFAULT_BRANCH}:{DEFAULT_BRANCH}"


def _ignore_line(_line: str) -> None:
    """Drop git's progress when the caller does not want it."""


def _ref_status(porcelain: str, ref: str) -> tuple[str, str] | None:
    """Return the flag and summary ``git push --porcelain`` printed for ``ref``, if any."""
    for line in porcelain.splitlines():
        flag, _, rest = line.partition("\t")
        refs, _, summary = rest.partition("\t")
        if len(flag) == 1 and refs.partition(":")[2] == ref:
            return flag, summary.strip()
    return None


def _refusal(url: str, summary: str, remote_lines: list[str]) -> GitError:
    """Explain a push the remote refused: its own words first, then what to do."""
    where = _display(url)
    if summary.startswith("[remote rejected]"):
        reason = "; ".join(remote_lines) or summary
        return GitError(
            f"{where} rejected the push of {DEFAULT_BRANCH}: {_trim(reason)}",
            hint="a hook or rule on the remote refused these commits; do what its message "
            "asks (or ask the remote's owner), then run the same command again",
        )
    return GitError(
        f"{where} refused the push of {DEFAULT_BRANCH}: {summary}",
        hint="the remote has commits this project lacks: push to an empty repository, "
        f"or merge them first (git pull origin {DEFAULT_BRANCH})",
    )


def _run_streaming(
    args: tuple[str, ...],
    *,
    cwd: Path,
    env: dict[str, str],
    pass_fds: tuple[int, ...],
    on_line: Callable[[str], None],
) -> tuple[int, str, list[str]]:
    """Run git, handing each line of its stderr (progress lines end in CR) to ``on_line``.

    Returns the exit code, stdout and the stderr lines. Like ``run_git``, the process is
    killed and reaped if anything interrupts the wait.
    """
    process = subprocess.Popen(
        [_git_executable(), *args],
        cwd=cwd,
        env={**os.environ, **env},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        pass_fds=pass_fds,
    )
    assert process.stdout is not None and process.stderr is not None  # noqa: S101 (PIPE)
    out = process.stdout
    stdout: list[bytes] = []
    # stdout is read beside stderr so that neither pipe can fill up and stall git.
    reader = threading.Thread(target=lambda: stdout.append(out.read()), daemon=True)
    lines: list[str] = []
    try:
        reader.start()
        pending = b""
        while chunk := os.read(process.stderr.fileno(), 65536):
            *complete, pending = re.split(rb"[\r\n]", pending + chunk)
            for raw in complete:
                if line := raw.decode("utf-8", errors="replace").strip():
                    lines.append(line)
                    on_line(line)
        if pending.strip():
            lines.append(pending.decode("utf-8", errors="replace").strip())
        code = process.wait()
        reader.join()
    except BaseException:
        _stop(process)
        raise
    finally:
        process.stdout.close()
        process.stderr.close()
    return code, b"".join(stdout).decode("utf-8", errors="replace"), lines


@contextlib.contextmanager
def network_environment(
    url: str, token: str | None, *, cwd: Path | None = None
) -> Iterator[tuple[dict[str, str], tuple[int, ...]]]:
    """Yield the environment and inherited descriptors for one git process that talks to ``url``.

    git never prompts (``GIT_TERMINAL_PROMPT=0``, ssh in batch mode). A token reaches git
    through a credential helper configured for the remote's own origin (scheme, host, port)
    that reads it from a pipe: this function writes the token into the pipe and closes its
    end, and the helper empties it when git asks for credentials, which git does while it
    reads the remote's refs, before any hook runs. So the token is on no command line, in no
    environment variable and in no file: the hooks a push runs (which inherit git's
    environment, ``GIT_CONFIG_*`` included) see only the helper's text and an empty pipe.
    The user's own credential helpers are switched off for that process, so their stored
    credentials are neither used nor erased when the token is refused.
    """
    env = {"GIT_TERMINAL_PROMPT": "0", "GIT_TRACE_REDACT": "1"}
    user_ssh = os.environ.get("GIT_SSH_COMMAND") or os.environ.get("GIT_SSH")
    if not (user_ssh or _configured_ssh(cwd)):
        env["GIT_SSH_COMMAND"] = "ssh -o BatchMode=yes"
    if token is None:
        yield env, ()
        return
    _check_token(token)
    read_end, write_end = os.pipe()
    try:
        # A token is far smaller than a pipe's buffer, so this write never blocks.
        os.write(write_end, f"{token}\n".encode())
        os.close(write_end)
        write_end = -1
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.hostname}" + (f":{parts.port}" if parts.port else "")
        helper = (
            '!f() { cat >/dev/null; test "$1" = get || exit 0; '
            f"echo username={TOKEN_USER}; printf password=; cat /dev/fd/{read_end}; }}; f"
        )
        config = [
            ("credential.helper", ""),
            (f"credential.{origin}.helper", helper),
            ("core.askPass", ""),
        ]
        start = int(os.environ.get("GIT_CONFIG_COUNT", "0") or "0")
        for index, (key, value) in enumerate(config, start):
            env[f"GIT_CONFIG_KEY_{index}"] = key
            env[f"GIT_CONFIG_VALUE_{index}"] = value
        env["GIT_CONFIG_COUNT"] = str(start + len(config))
        env["GIT_ASKPASS"] = ""
        yield env, (read_end,)
    finally:
        os.close(read_end)
        if write_end >= 0:
            os.close(write_end)


def _check_token(token: str) -> None:
    """Refuse a token git cannot be handed safely: an old git, or a token with line breaks."""
    version = tuple(int(part) for part in re.findall(r"\d+", _git_version())[:2])
    if version < MIN_GIT_FOR_TOKEN:
        needed = ".".join(map(str, MIN_GIT_FOR_TOKEN))
        raise GitError(
            f"git {needed} or newer is needed to hand it the token safely",
            hint="upgrade git (https://git-scm.com/downloads)",
        )
    if not token or any(char.isspace() or ord(char) < 0x20 for char in token):
        raise GitError(
            "the GitHub token holds spaces or control characters",
            hint="set GITHUB_TOKEN to the token alone, on one line",
        )


def _git_version() -> str:
    return run_git("--version").stdout


def _configured_ssh(cwd: Path | None) -> bool:
    result = run_git("config", "--get", "core.sshCommand", cwd=cwd, check=False)
    return bool(result.stdout.strip())


_AUTH_FAILURES = ("terminal prompts disabled", "authentication failed", "error: 401", "error: 403")
_MISSING_REPOSITORY = (
    "does not appear to be a git repository",
    "repository not found",
    "error: 404",
)


def _remote_error(stderr: str, url: str, token: str | None, *, action: str) -> GitError:
    """Explain a failed network git command in one line, scrubbed of the token."""
    stderr = redact(stderr, token)
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
    said = [line for line in stderr.splitlines() if line and not _is_progress(line)]
    if action == "push to" and said and "failed to push some refs" in said[-1]:
        reason = "; ".join(line.removeprefix("error: ") for line in said[:-1]) or said[-1]
        return GitError(
            f"the push to {where} was stopped before it started: {_trim(reason)}",
            hint="a pre-push hook (or git itself) refused it; fix what it reports, then run "
            "the same command again",
        )
    return GitError(
        f"git could not {action} {where}: {_trim(' '.join(said) or stderr)}",
        hint="fix the problem above and run the same command again",
    )


def _is_progress(line: str) -> bool:
    return line.endswith("done.") or "%" in line or line.startswith(("Total ", "To "))


def _display(url: str) -> str:
    """Return the URL without any user part, for messages."""
    if "://" not in url:
        return url
    parts = urlsplit(url)
    return parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()


#: File modes whose blobs are not file contents: symbolic links and submodules.
_NOT_CONTENT = ("120000", "160000")
_NO_BLOB = "0" * 40


def unpushed_blobs(path: Path) -> dict[str, tuple[str, str]]:
    """Map every file version a push of HEAD would send to (the commit adding it, its path).

    "Would send" is what HEAD's history holds beyond every remote-tracking branch, which is
    all of it before the first push. Each version is named once, by the oldest such commit
    that brought it in; merges count against each parent, so a merge's own changes are in.
    Empty when the repository has no commit yet. ``git log`` is read as it streams.
    """
    if run_git("rev-parse", "--verify", "--quiet", "HEAD", cwd=path, check=False).returncode:
        return {}
    args = (
        "log", "--raw", "-z", "--no-abbrev", "--no-renames", "-m", "--root",
        "--format=%x01%H", "HEAD", "--not", "--remotes",
    )  # fmt: skip
    found: dict[str, tuple[str, str]] = {}
    commit = ""
    fields = _stream_fields(args, cwd=path)
    for field in fields:
        field = field.lstrip("\n")
        if field.startswith("\x01"):
            commit = field[1:]
        elif field.startswith(":"):
            _old_mode, new_mode, _old, blob, _status = field[1:].split(" ")
            name = next(fields, "")
            if blob != _NO_BLOB and new_mode not in _NOT_CONTENT:
                found[blob] = (commit, name)  # log runs newest first: the oldest one stays
    return found


def _stream_fields(args: tuple[str, ...], *, cwd: Path) -> Iterator[str]:
    """Yield the NUL-separated fields git prints, as it prints them; stop git if abandoned."""
    process = subprocess.Popen(
        [_git_executable(), *args], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )
    assert process.stdout is not None  # noqa: S101 (stdout=PIPE)
    try:
        pending = b""
        while chunk := process.stdout.read(65536):
            *complete, pending = (pending + chunk).split(b"\0")
            for field in complete:
                yield field.decode("utf-8", errors="surrogateescape")
        if pending:
            yield pending.decode("utf-8", errors="surrogateescape")
        if process.wait() != 0:
            raise GitError(f"git {args[0]} failed in {cwd}")
    finally:
        _stop(process)
        process.stdout.close()


class BlobReader:
    """Reads one blob's bytes from ``git cat-file --batch``, no further than its end."""

    def __init__(self, stream: IO[bytes], size: int) -> None:
        self._stream = stream
        self._left = size

    def read(self, size: int = -1) -> bytes:
        """Return up to ``size`` bytes of the blob (the rest of it for -1); b"" at its end."""
        wanted = self._left if size < 0 else min(size, self._left)
        data = self._stream.read(wanted) if wanted else b""
        self._left -= len(data)
        return data

    def drain(self) -> None:
        """Skip what the reader has not read, and the newline git ends each blob with."""
        while self.read(65536):
            pass
        self._stream.read(1)


def read_blobs(path: Path, shas: Iterable[str]) -> Iterator[tuple[str, BlobReader]]:
    """Yield a reader for each blob in turn, streamed by one ``git cat-file --batch``.

    A reader is valid until the next one is yielded; missing objects are skipped.
    """
    process = subprocess.Popen(
        [_git_executable(), "cat-file", "--batch"],
        cwd=path,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert process.stdin is not None and process.stdout is not None  # noqa: S101 (PIPE)
    try:
        for sha in shas:
            process.stdin.write(f"{sha}\n".encode())
            process.stdin.flush()
            header = process.stdout.readline().split()
            if len(header) != 3:
                continue  # "<sha> missing"
            reader = BlobReader(process.stdout, int(header[2]))
            yield sha, reader
            reader.drain()
    finally:
        with contextlib.suppress(BrokenPipeError):  # cat-file may be gone already
            process.stdin.close()
        _stop(process)
        process.stdout.close()


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


# --- plumbing for `portfolio update` -------------------------------------------------------

#: The label git writes in conflict markers for the template's side (``>>>>>>> portfolio/...``).
UPDATE_REF_PREFIX = "refs/portfolio/"


@dataclass(frozen=True)
class MergeOutcome:
    """What ``git merge --no-commit`` left: whether it started, and the files in conflict."""

    started: bool
    conflicts: tuple[str, ...]
    detail: str


class Plumbing:
    """git plumbing on one repository, optionally with a scratch index and object store.

    ``portfolio update`` builds commits from a folder outside the working tree: with
    ``GIT_INDEX_FILE`` pointing at a scratch index the user's index and working tree are never
    touched, and with a scratch object directory (the repository's own objects as an alternate)
    a preview writes nothing at all into ``.git``. It runs the git binary with ``subprocess``
    rather than GitPython because plumbing needs standard input and exit codes, which
    ``subprocess`` gives plainly.
    """

    def __init__(self, path: Path, env: dict[str, str] | None = None) -> None:
        require_git()
        self.path = path
        self.env = dict(env or {})

    def run(
        self,
        *args: str,
        stdin: bytes | None = None,
        ok: tuple[int, ...] = (0,),
        cwd: Path | None = None,
        env: dict[str, str] | None = None,
    ) -> subprocess.CompletedProcess[bytes]:
        """Run ``git args`` in the repository; raise ``GitError`` on an exit code not in ``ok``."""
        executable = os.environ.get("GIT_PYTHON_GIT_EXECUTABLE", "git")
        try:
            result = subprocess.run(
                [executable, *args],
                cwd=cwd or self.path,
                env={**os.environ, **self.env, **(env or {})},
                input=stdin,
                capture_output=True,
                check=False,
            )
        except OSError as err:
            raise GitError(f"cannot run git: {err}") from err
        if result.returncode not in ok:
            raise _failure(args, result)
        return result

    def text(self, *args: str, **kwargs: Any) -> str:
        """Run ``git args`` and return its standard output, decoded, without the last newline."""
        return self.run(*args, **kwargs).stdout.decode("utf-8", errors="replace").rstrip("\n")

    def scratch(self, folder: Path, *, quarantine: bool) -> Plumbing:
        """Return plumbing on the same repository with a scratch index in ``folder``.

        With ``quarantine``, new objects go to ``folder`` too, and the repository's objects are
        read as an alternate: nothing is written into ``.git``.
        """
        env = {**self.env, "GIT_INDEX_FILE": str(folder / "index")}
        if quarantine:
            objects = Path(self.text("rev-parse", "--git-path", "objects"))
            objects = objects if objects.is_absolute() else self.path / objects
            (folder / "objects").mkdir(parents=True, exist_ok=True)
            env["GIT_OBJECT_DIRECTORY"] = str(folder / "objects")
            env["GIT_ALTERNATE_OBJECT_DIRECTORIES"] = str(objects.resolve())
        return Plumbing(self.path, env)

    # --- reading -----------------------------------------------------------------------

    def top_level(self) -> Path | None:
        """Return the top of the working tree, or None when ``path`` is not in a repository."""
        result = self.run("rev-parse", "--show-toplevel", ok=(0, 128))
        return Path(result.stdout.decode().strip()) if result.returncode == 0 else None

    def branch(self) -> str | None:
        """Return the checked-out branch, or None when HEAD is detached."""
        result = self.run("symbolic-ref", "--quiet", "--short", "HEAD", ok=(0, 1))
        return result.stdout.decode().strip() if result.returncode == 0 else None

    def resolve(self, rev: str) -> str | None:
        """Return the commit ``rev`` names, or None when it names none."""
        result = self.run(
            "rev-parse",
            "--quiet",
            "--verify",
            "--end-of-options",
            f"{rev}^{{commit}}",
            ok=(0, 1, 128),
        )
        return result.stdout.decode().strip() if result.returncode == 0 else None

    def roots(self, rev: str) -> list[str]:
        """Return the root commits (those without a parent) of ``rev``'s history."""
        return self.text("rev-list", "--max-parents=0", rev, "--").split()

    def is_ancestor(self, ancestor: str, rev: str) -> bool:
        """Say whether ``ancestor`` is in the history of ``rev`` (or is ``rev``)."""
        return self.run("merge-base", "--is-ancestor", ancestor, rev, ok=(0, 1)).returncode == 0

    def subject(self, rev: str) -> str:
        """Return the first line of ``rev``'s message."""
        return self.text("log", "-1", "--format=%s", rev, "--")

    def read(self, rev: str, name: str) -> bytes | None:
        """Return the content of the file ``name`` in ``rev``, or None when it has none."""
        result = self.run("cat-file", "blob", f"{rev}:{name}", ok=(0, 128))
        return result.stdout if result.returncode == 0 else None

    def has_tree(self, rev: str, name: str) -> bool:
        """Say whether ``rev`` holds a folder ``name``."""
        result = self.run("cat-file", "-t", f"{rev}:{name}", ok=(0, 128))
        return result.returncode == 0 and result.stdout.strip() == b"tree"

    def tree_without(self, rev: str, name: str) -> str:
        """Return the id ``rev``'s tree would have without its top-level entry ``name``.

        The id is hashed, not written (``hash-object`` without ``-w``), so a check that
        compares trees leaves ``.git`` alone.
        """
        entries = self.run("ls-tree", "-z", "--full-tree", rev).stdout.split(b"\0")
        body = b""
        for entry in entries:
            if not entry:
                continue
            meta, _, entry_name = entry.partition(b"\t")
            mode, _kind, oid = meta.split(b" ")
            if entry_name != name.encode():
                # The tree object's own form: octal mode without leading zero, name, raw id.
                body += mode.lstrip(b"0") + b" " + entry_name + b"\0" + bytes.fromhex(oid.decode())
        return self.text("hash-object", "-t", "tree", "--stdin", stdin=body)

    def changes(self, old: str, new: str) -> list[tuple[str, str]]:
        """Return ``(status, path)`` for every file that differs: A added, M modified, D removed."""
        out = self.run("diff-tree", "-r", "-z", "--no-renames", "--name-status", old, new).stdout
        fields = [f.decode("utf-8", errors="replace") for f in out.split(b"\0") if f]
        return [(fields[i][0], fields[i + 1]) for i in range(0, len(fields) - 1, 2)]

    def diff(self, old: str, new: str, *, exclude: tuple[str, ...] = ()) -> str:
        """Return the patch from ``old`` to ``new`` (commits or trees), without ``exclude``."""
        pathspec = [".", *(f":(exclude){name}" for name in exclude)]
        return self.text("diff", "--no-color", "--no-ext-diff", old, new, "--", *pathspec)

    def merge_tree(self, ours: str, theirs: str) -> tuple[str, tuple[str, ...]] | None:
        """Merge in memory (git 2.38+); return the result tree and the conflicted files.

        Returns None when this git cannot merge without a working tree.
        """
        result = self.run(
            "merge-tree", "--write-tree", "--name-only", "-z", ours, theirs, ok=(0, 1, 129)
        )
        if result.returncode == 129:
            return None
        # Output: the tree id, NUL, conflicted file names each ended by NUL, then NUL, messages.
        head, _, rest = result.stdout.partition(b"\0")
        names = rest.split(b"\0\0", 1)[0].split(b"\0") if result.returncode == 1 else []
        return head.decode().strip(), tuple(sorted({n.decode() for n in names if n}))

    def merge_in_progress(self) -> bool:
        """Say whether a merge is waiting to be concluded (``MERGE_HEAD`` exists)."""
        return self.resolve("MERGE_HEAD") is not None

    def conflicts(self) -> tuple[str, ...]:
        """Return the files with unresolved conflicts in the index."""
        out = self.run("diff", "--name-only", "-z", "--diff-filter=U").stdout
        return tuple(sorted({n.decode() for n in out.split(b"\0") if n}))

    # --- writing -----------------------------------------------------------------------

    def stage_folder(self, folder: Path) -> str:
        """Stage every file of ``folder`` (outside the repository) in the index; return its tree.

        Only meant for a scratch index: ``folder`` becomes the work tree of these two commands.
        """
        git_dir = self.text("rev-parse", "--absolute-git-dir")
        env = {"GIT_DIR": git_dir, "GIT_WORK_TREE": str(folder)}
        self.run("add", "--all", "--", ".", cwd=folder, env=env)
        return self.text("write-tree", cwd=folder, env=env)

    def take_folder(self, name: str, rev: str) -> str:
        """Make folder ``name`` in the index exactly ``rev``'s (or absent); return the tree."""
        self.run("rm", "-r", "--cached", "--quiet", "--ignore-unmatch", "--", name)
        if self.has_tree(rev, name):
            self.run("read-tree", f"--prefix={name}/", f"{rev}:{name}")
        return self.text("write-tree")

    def commit_tree(self, tree: str, parent: str, message: str, *, fallback: Identity) -> str:
        """Commit ``tree`` on top of ``parent``; ``fallback`` signs it when git has no identity."""
        args = ("commit-tree", tree, "-p", parent, "-m", message)
        return self._signed(args, fallback).stdout.decode().strip()

    def _signed(
        self, args: tuple[str, ...], fallback: Identity
    ) -> subprocess.CompletedProcess[bytes]:
        """Run a committing command; when git has no identity, again signed by ``fallback``."""
        result = self.run(*args, ok=tuple(range(256)))
        if result.returncode != 0 and _lacks_identity(result.stderr.decode(errors="replace")):
            result = self.run(*args, env=_identity_env(fallback), ok=tuple(range(256)))
        if result.returncode != 0:
            raise _failure(args, result)
        return result

    def set_ref(self, ref: str, sha: str | None) -> None:
        """Point ``ref`` at ``sha``, or delete it when ``sha`` is None (a missing ref is fine)."""
        if sha is None:
            self.run("update-ref", "-d", ref, ok=(0, 1))
        else:
            self.run("update-ref", ref, sha)

    def merge(self, name: str, message: str) -> MergeOutcome:
        """Merge ``name`` into the current branch without committing; conflicts stay for the user.

        ``started`` is False when git refused before changing anything (a locked index, a file
        in the way); then the repository is as it was.
        """
        result = self.run(
            "merge", "--no-ff", "--no-commit", "--no-autostash", "--no-verify", "-m", message,
            "--", name, ok=tuple(range(256)), env={"GIT_MERGE_AUTOEDIT": "no"},
        )  # fmt: skip
        detail = _trim((result.stderr or result.stdout).decode(errors="replace"))
        if self.merge_in_progress():
            conflicts = self.conflicts()
            if result.returncode == 0 or (result.returncode == 1 and conflicts):
                return MergeOutcome(True, conflicts, detail)
            # A locked index makes git 2.39 write MERGE_HEAD, fail to write the index and exit
            # 1 with nothing merged: forget that state; the index and working tree are intact.
            self.run("merge", "--quit")
        return MergeOutcome(False, (), detail)

    def add(self, name: str) -> None:
        """Stage one file of the working tree."""
        self.run("add", "--", name)

    def conclude_merge(self, *, fallback: Identity) -> str:
        """Commit the merge in progress with its prepared message; return the commit."""
        self._signed(("commit", "--quiet", "--no-verify", "--no-edit"), fallback)
        return self.text("rev-parse", "HEAD")

    def abort_merge(self) -> None:
        """Undo a merge in progress: the branch, index and working tree return to before it."""
        if self.merge_in_progress():
            self.run("merge", "--abort")


def _failure(args: tuple[str, ...], result: subprocess.CompletedProcess[bytes]) -> GitError:
    stderr = result.stderr.decode(errors="replace") or result.stdout.decode(errors="replace")
    return GitError(
        f"git {args[0]} failed: {_trim(stderr)}",
        hint="fix the git problem above and run the same command again",
    )


# --- small reads and writes for `showcase` and `publish --pages` -----------------------------


def read_setting(path: Path, key: str) -> str | None:
    """Return a value of the repository's own git config (``.git/config``), or None if unset."""
    result = Plumbing(path).run("config", "--local", "--get", key, ok=(0, 1))
    value = result.stdout.decode().strip()
    return value if result.returncode == 0 and value else None


def write_setting(path: Path, key: str, value: str) -> None:
    """Set a value in the repository's own git config: local state, never committed."""
    Plumbing(path).run("config", "--local", key, value)


def commit_paths(path: Path, names: tuple[str, ...], message: str, *, fallback: Identity) -> str:
    """Commit these files as they are in the working tree, nothing else; return the commit.

    A folder that is not a repository yet becomes one on ``main`` first. Files the owner
    staged besides these stay staged and out of the commit. Returns the current commit when
    the files hold no change. Raises ``GitError`` when git fails.
    """
    git = Plumbing(path)
    if git.top_level() != path.resolve():
        git.run("init", "--quiet", f"--initial-branch={DEFAULT_BRANCH}")
    git.run("add", "--", *names)
    if git.resolve("HEAD") is not None:
        changed = git.run("diff", "--cached", "--quiet", "HEAD", "--", *names, ok=(0, 1))
        if changed.returncode == 0:
            return git.text("rev-parse", "HEAD")
    git._signed(("commit", "--quiet", "--no-verify", "-m", message, "--", *names), fallback)
    return git.text("rev-parse", "HEAD")
