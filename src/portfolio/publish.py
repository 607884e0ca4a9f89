"""Publish a generated project: create (or reuse) its GitHub repository, or use any remote; push.

Local checks first, network last: the project must be a clean repository on ``main`` whose
unpushed history holds nothing that looks like a secret, before GitHub is called at all. The
only local change is git's own: ``origin`` and the branch's upstream. Nothing is committed, so
the history starts with the owner's first commit and a failed push leaves no trace; a later
run knows the project's repository from ``origin``. Any failure after the checks says that the
project is intact and gives the exact command to run again.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from portfolio.answers import AnswersFile, answer_problem, read_answers_file
from portfolio.errors import GitHubAuthError, GitHubError, PortfolioError, TemplateError
from portfolio.github import (
    GitHubClient,
    git_origin,
    normalise_topics,
    token_from_environment,
    url_origin,
)
from portfolio.gitrepo import (
    check_project_repo,
    check_remote_url,
    origin_url,
    push,
    remote_is_empty,
    set_origin,
    uncommitted_changes,
)
from portfolio.interrupts import Interrupted

#: Topics every published project gets; the template's name is added to them.
TOPICS = ("portfolio", "machine-learning")
_DESCRIPTION_MAX = 350

Progress = Callable[[str], None]

if TYPE_CHECKING:
    from portfolio.pages import SiteResult


@dataclass(frozen=True)
class PublishResult:
    """Where the project went and what publishing changed."""

    remote: str
    web_url: str | None
    created: bool
    branch: str
    sha: str
    topics: tuple[str, ...]
    warnings: tuple[str, ...]
    pages_url: str | None = None


def publish_project(
    path: Path,
    *,
    pages: bool = False,
    private: bool = False,
    owner: str | None = None,
    description: str | None = None,
    remote: str | None = None,
    allow_dirty: bool = False,
    allow_secrets: bool = False,
    client: GitHubClient | None = None,
    token_source: Callable[[], str] = token_from_environment,
    progress: Progress | None = None,
) -> PublishResult:
    """Push the project at ``path`` to a new (or empty) GitHub repository, or to ``remote``.

    With ``pages``, GitHub Pages is then enabled (see ``portfolio.pages``): a failure there is
    a warning, never an error, since the push already stands.

    With ``remote``, GitHub is not called; the token is used only if that URL is on the
    GitHub origin (scheme, host and port) of ``client``. Raises ``PortfolioError`` for a
    folder that is not a generated project, a bad ``owner`` or ``remote``, uncommitted
    changes (unless ``allow_dirty``) or history that looks like it holds a secret (unless
    ``allow_secrets``); ``GitError`` for a repository not on ``main`` or a push that fails;
    ``GitHubError`` for API failures. After the local checks, every error's hint (and an
    interruption's message) says that the project is intact and gives the command to run
    again.
    """
    report: Progress = progress or _ignore
    retry = retry_command(
        path,
        pages=pages,
        private=private,
        owner=owner,
        description=description,
        remote=remote,
        allow_dirty=allow_dirty,
        allow_secrets=allow_secrets,
    )
    answers = read_answers_file(path)
    if owner is not None and (problem := answer_problem("github_username", owner)):
        raise PortfolioError(f"invalid --owner {owner!r}: {problem}", exit_code=2)
    remote_url = _remote_url(remote) if remote is not None else None
    if pages and remote is not None:
        raise PortfolioError(
            "--pages enables GitHub Pages on the repository publish creates on GitHub; "
            "with --remote, enable Pages in that repository's settings",
            exit_code=2,
        )
    check_project_repo(path)
    warnings = _check_clean(path, allow_dirty=allow_dirty)
    if not allow_secrets:
        _refuse_secrets(path, override=f"{retry} --allow-secrets")
    client = client or GitHubClient()
    intact = f"the project in {path} is intact; once fixed, run again: {retry}"
    try:
        if remote_url is not None:
            target = _own_remote(remote_url, client, token_source)
        else:
            target = _github_repository(
                path,
                answers,
                private=private,
                owner=owner,
                description=description,
                client=client,
                token_source=token_source,
                report=report,
            )
        previous = set_origin(path, target.url)
        if previous is not None and previous != target.url:
            report(f"origin was {previous}; now {target.url}")
        report(f"Pushing main to {target.url}")
        pushed = push(path, token=target.token, progress=report)
        site = _enable_site(path, target, client, token_source, report) if pages else None
    except PortfolioError as err:
        hint = f"{err.hint}\n{intact}" if err.hint else intact
        raise type(err)(err.message, hint=hint, exit_code=err.exit_code) from err
    except KeyboardInterrupt as err:
        outcome = f"publishing was cut short; the project in {path} is intact: run {retry}"
        raise Interrupted.of(err, outcome) from None
    if site is not None:
        warnings += site.warnings
    return PublishResult(
        remote=target.url,
        web_url=target.web_url,
        created=target.created,
        branch=pushed.branch,
        sha=pushed.sha,
        topics=target.topics,
        warnings=(*warnings, *target.warnings),
        pages_url=site.url if site else None,
    )


def _refuse_secrets(path: Path, *, override: str) -> None:
    """Refuse to publish history that holds something secret-looking, naming the first one."""
    from portfolio.secret_scan import scan_history

    hits = scan_history(path)
    if not hits:
        return
    first = hits[0]
    more = f" (and {len(hits) - 1} more)" if len(hits) > 1 else ""
    raise PortfolioError(
        f"refusing to publish: {first.location()} looks like {first.what}{more}; "
        "nothing was published",
        hint="remove it and rotate the credential; if a commit holds it, rewrite that history "
        "(git rebase -i, or git filter-repo) so no pushed commit has it; `portfolio check` "
        f"lists every finding. If it is not a secret, publish anyway: {override}",
    )


@dataclass(frozen=True)
class _Target:
    """Where to push, with what token, and what the GitHub side already did."""

    url: str
    token: str | None
    web_url: str | None = None
    created: bool = False
    topics: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    full_name: str | None = None


def _enable_site(
    path: Path,
    target: _Target,
    client: GitHubClient,
    token_source: Callable[[], str],
    report: Progress,
) -> SiteResult | None:
    """After the push: turn GitHub Pages on for the repository just pushed to, if on GitHub."""
    from portfolio.pages import enable_site

    if target.full_name is None:
        return None
    return enable_site(
        path,
        target.full_name,
        web_url=target.web_url,
        client=client,
        token_source=token_source,
        report=report,
    )


def retry_command(
    path: Path,
    *,
    pages: bool = False,
    private: bool = False,
    owner: str | None = None,
    description: str | None = None,
    remote: str | None = None,
    allow_dirty: bool = False,
    allow_secrets: bool = False,
) -> str:
    """Return the ``portfolio publish`` command line that repeats these options, shell-quoted."""
    words = ["portfolio", "publish", str(path)]
    if remote is not None:
        words += ["--remote", remote]
    if private:
        words.append("--private")
    if pages:
        words.append("--pages")
    if owner:
        words += ["--owner", owner]
    if description is not None:
        words += ["--description", description]
    if allow_dirty:
        words.append("--allow-dirty")
    if allow_secrets:
        words.append("--allow-secrets")
    return shlex.join(words)


def _ignore(_message: str) -> None:
    """Drop progress messages when the caller does not want them."""


def _check_clean(path: Path, *, allow_dirty: bool) -> list[str]:
    changes = uncommitted_changes(path)
    if not changes:
        return []
    files = [line[3:] for line in changes]
    listed = ", ".join(files[:3]) + (f" and {len(files) - 3} more" if len(files) > 3 else "")
    if not allow_dirty:
        raise PortfolioError(
            f"{path} has uncommitted changes ({listed}); nothing was published",
            hint="commit them first (git add -A && git commit -m '...'), or pass --allow-dirty "
            "to publish the last commit without them",
        )
    return [f"uncommitted changes are not published: {listed}"]


def _remote_url(remote: str) -> str:
    """Return ``remote`` as a URL; an existing folder becomes absolute, as its shell meant it.

    A bare word (``origin``) is refused rather than stored as a URL that cannot work, and so
    is a URL with a password (``GitError``).
    """
    if Path(remote).exists():
        return str(Path(remote).resolve())
    if "://" in remote or ":" in remote.partition("/")[0]:
        check_remote_url(remote)
        return remote
    raise PortfolioError(
        f"--remote {remote!r} is neither a URL nor an existing folder",
        hint="e.g. https://gitlab.com/you/name.git, git@host:you/name.git or /path/to/bare.git",
        exit_code=2,
    )


def _own_remote(url: str, client: GitHubClient, token_source: Callable[[], str]) -> _Target:
    """Push to the user's remote; the token goes along only to the client's GitHub host."""
    token = None
    if _on_github(url, client):
        try:
            token = token_source()
        except GitHubAuthError:
            token = None  # no token: git's own credential helper may still have one
    return _Target(url=url, token=token)


def _on_github(url: str, client: GitHubClient) -> bool:
    """Say whether ``url`` is served by the GitHub that ``client`` talks to.

    Scheme, host and port must all match: another port on the same host is another server.
    """
    if "://" not in url:
        return False
    try:
        return url_origin(url) == git_origin(client.base_url)
    except ValueError:  # a port that is not a number
        return False


def _github_repository(
    path: Path,
    answers: AnswersFile,
    *,
    private: bool,
    owner: str | None,
    description: str | None,
    client: GitHubClient,
    token_source: Callable[[], str],
    report: Progress,
) -> _Target:
    """Create the repository, or reuse it if it is empty or this project's own; set topics.

    "This project's own" means ``origin`` already points at it, as a previous publish left
    it. The token goes along with the push only when the clone URL is on the API's origin.
    """
    token = token_source()
    name = answers.answers.get("project_slug", "")
    text = " ".join((description or answers.answers.get("description", "")).split())
    warnings: list[str] = []
    with client.session(token) as session:
        login = session.login()
        org = owner if owner and owner.lower() != login.lower() else None
        repo = session.create_repository(
            name, description=text[:_DESCRIPTION_MAX], private=private, org=org
        )
        created = repo is not None
        if repo is None:
            repo = session.repository(org or login, name)
            push_token = token if _on_github(repo.clone_url, client) else None
            if remote_is_empty(repo.clone_url, token=push_token):
                report(f"Reusing the empty GitHub repository {repo.html_url}")
            elif origin_url(path) == repo.clone_url:
                report(f"Pushing to this project's GitHub repository {repo.html_url}")
            else:
                raise GitHubError(
                    f"GitHub repository {repo.full_name} already exists and has commits; "
                    "nothing was pushed",
                    hint="delete or rename it on GitHub; or, if it already holds this "
                    f"project's history, push to it with --remote {repo.clone_url}",
                )
        else:
            report(f"Created the GitHub repository {repo.html_url}")
        wanted = normalise_topics([*TOPICS, *_template_topics(answers.template)])
        try:
            topics = session.set_topics(repo.full_name, wanted)
        except GitHubError as err:
            topics = []
            warnings.append(f"topics not set ({err.message}); add them on the repository page")
    return _Target(
        url=repo.clone_url,
        token=token if _on_github(repo.clone_url, client) else None,
        web_url=repo.html_url,
        created=created,
        topics=tuple(topics),
        warnings=tuple(warnings),
        full_name=repo.full_name,
    )


def _template_topics(template: str) -> tuple[str, ...]:
    """Return the template's own GitHub topics, or its name if it is no longer bundled."""
    from portfolio.templates import describe

    try:
        return describe(template).topics
    except TemplateError:
        return (template,)
