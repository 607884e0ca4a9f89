"""`portfolio showcase`: one profile page that presents every project, from its last report.

GitHub shows the README of the repository named after the user (``<user>/<user>``) on the
user's profile. The showcase folder holds that README and a ``.portfolio.json`` whose template
is ``showcase``, so ``publish`` can push it and ``check`` knows what it looks at; it lists the
projects (relative paths) and the links each card showed. Every card sits in its own marker
block, ``<!-- portfolio:project-SLUG:start -->``, rewritten on every run; the introduction and
anything else outside the blocks is the owner's and never changes. Local work first: every
project is read, and refused with one line if it cannot be shown, before a file is written
or GitHub is called.
"""

from __future__ import annotations

import math
import os
import tempfile
import textwrap
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from portfolio import __version__
from portfolio.answers import ANSWERS_FILE, AnswersFile, parse_answers_file
from portfolio.blocks import Span, find_spans, rewrite
from portfolio.errors import GitHubError, PortfolioError, TemplateError
from portfolio.github import (
    GitHubClient,
    GitHubSession,
    git_origin,
    normalise_topics,
    token_from_environment,
)
from portfolio.gitrepo import Identity
from portfolio.projectcard import (
    SHOWCASE_TEMPLATE,
    Headline,
    Links,
    ProjectCard,
    read_card,
    remote_parts,
)

if TYPE_CHECKING:
    from portfolio.publish import PublishResult

README = "README.md"
#: Where the showcase goes when no ``-o`` is given: beside the projects, like ``new``'s folders.
DEFAULT_FOLDER = Path("profile")
CARD_PREFIX = "project-"
PROJECTS_KEY = "projects"
INTRODUCTION = (
    "TODO(portfolio): Introduce yourself in two or three sentences: the role you want, what "
    "you bring from your past work, and what these projects prove you can do. A hiring "
    "manager reads this before any card; leave the numbers to the cards below."
)
PROJECTS_HEADING = "## Projects"
CREATE_MESSAGE = "Create the portfolio showcase"
UPDATE_MESSAGE = "Refresh the portfolio showcase from the projects' last reports"
DESCRIPTION = "Applied machine-learning projects, each with its business result and its interval"
_DESCRIPTION_MAX = 350

Progress = Callable[[str], None]


@dataclass(frozen=True)
class ShowcaseProject:
    """One project the showcase presents, as its ``.portfolio.json`` remembers it."""

    path: str
    slug: str
    links: Links

    def folder(self, showcase: Path) -> Path:
        """Return the project's folder; ``path`` is relative to the showcase's folder."""
        return (showcase / self.path).resolve()

    def to_json(self) -> dict[str, Any]:
        """Serialise for ``.portfolio.json``."""
        return {
            "path": self.path,
            "slug": self.slug,
            "repository": self.links.repository,
            "live_demo": self.links.live_demo,
        }


@dataclass(frozen=True)
class Showcase:
    """A showcase folder as its ``.portfolio.json`` describes it."""

    folder: Path
    answers: AnswersFile
    projects: tuple[ShowcaseProject, ...]

    def entry(self, project: Path) -> ShowcaseProject | None:
        """Return what the showcase remembers of the project in ``project``, if anything."""
        return next((p for p in self.projects if p.folder(self.folder) == project), None)


def read_showcase(folder: Path) -> Showcase | None:
    """Read the showcase in ``folder``; None when it has no ``.portfolio.json`` at all.

    Raises ``PortfolioError`` when the folder holds a project's ``.portfolio.json`` (never
    overwrite a project) or a broken one.
    """
    path = folder / ANSWERS_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as err:
        raise PortfolioError(f"cannot read {path}: {err}") from err
    answers = parse_answers_file(text, source=str(path))
    if answers.template != SHOWCASE_TEMPLATE:
        raise PortfolioError(
            f"{folder} is a portfolio project ({answers.template}), not a showcase; nothing "
            "was written",
            hint="write the showcase into a folder of its own: -o DIR (default ./profile)",
            exit_code=2,
        )
    try:
        projects = tuple(
            ShowcaseProject(
                path=str(item["path"]),
                slug=str(item["slug"]),
                links=Links(item.get("repository"), item.get("live_demo")),
            )
            for item in answers.extra.get(PROJECTS_KEY, [])
        )
    except (KeyError, TypeError, AttributeError) as err:
        raise PortfolioError(
            f"{path} lists its projects in an unknown way ({err})",
            hint="run `portfolio showcase PATH...` naming the projects again",
        ) from err
    return Showcase(folder, answers, projects)


@dataclass(frozen=True)
class ShowcaseResult:
    """What a run wrote: the cards, and which blocks it added, refreshed or removed."""

    folder: Path
    cards: tuple[ProjectCard, ...]
    added: tuple[str, ...]
    refreshed: tuple[str, ...]
    removed: tuple[str, ...]
    adopted: bool
    user: str | None
    commit: str | None

    @property
    def readme(self) -> Path:
        """The profile README."""
        return self.folder / README


@dataclass(frozen=True)
class ShowcasePublished:
    """A published showcase: what was written, pushed, and changed on GitHub."""

    showcase: ShowcaseResult
    published: PublishResult
    profile_url: str
    changes: tuple[str, ...]
    warnings: tuple[str, ...]


def card_block(card: ProjectCard) -> str:
    """Return the name of the marker block holding ``card``."""
    return f"{CARD_PREFIX}{card.slug}"


def render_card(card: ProjectCard) -> str:
    """Write one project's card: title, problem, headline with interval, stack, links."""
    title = _inline(card.title)
    repository = card.links.repository
    lines = [
        f"### [{_link_text(title)}]({repository})" if repository else f"### {title}",
        "",
        _inline(card.problem),
        "",
        headline_markdown(card.headline),
        "",
    ]
    if card.stack:
        lines += [f"**Stack:** {' · '.join(card.stack)}", ""]
    links = [
        f"[{name}]({url})"
        for name, url in (
            ("Repository", repository),
            ("Live demo", card.links.live_demo),
            ("Model card", card.model_card),
        )
        if url
    ]
    lines.append(" · ".join(links) if links else "_Not published yet._")
    return "\n".join(lines)


def headline_markdown(headline: Headline) -> str:
    """Write the headline: its number with the interval, then the sentence code wrote from it.

    E.g. ``**Saving a month:** 11,236 EUR a month (95% interval -191,011 to 191,011)``.
    """
    places = _decimals(headline)
    unit = f" {_inline(headline.unit)}" if headline.unit else ""
    confidence = f"{headline.confidence * 100:g}%"
    number = (
        f"**{_inline(headline.label)}:** {headline.estimate:,.{places}f}{unit} "
        f"({confidence} interval {headline.low:,.{places}f} to {headline.high:,.{places}f})"
    )
    return f"{number}\n\n{_inline(headline.text)}"


def _decimals(headline: Headline) -> int:
    """Show the decimals that give the interval's width three significant digits (at most 4).

    A saving of 11,236 in [-191,011, 191,011] needs none; an AUC in [0.701, 0.885] needs 3.
    """
    width = abs(headline.high - headline.low) or abs(headline.estimate)
    if width == 0:
        return 0
    return min(4, max(0, math.ceil(-math.log10(width)) + 2))


def _inline(text: str) -> str:
    """One line of Markdown that cannot open an HTML comment, so never a marker line."""
    return " ".join(text.split()).replace("<!--", "&lt;!--")


def _link_text(text: str) -> str:
    return text.replace("[", r"\[").replace("]", r"\]")


def write_showcase(
    paths: Sequence[Path],
    *,
    folder: Path = DEFAULT_FOLDER,
    links: Mapping[Path, Links] | None = None,
    user: str | None = None,
) -> ShowcaseResult:
    """Write or refresh the profile README in ``folder`` from the projects at ``paths``.

    With no ``paths``, the projects the showcase already lists. ``links`` (by project folder)
    replaces what git knows locally, as ``--publish`` does with GitHub's answers; ``user`` is
    the GitHub login when known. The first run in a folder that is not a repository commits
    both files on ``main``. Raises ``PortfolioError`` before writing anything when a project
    cannot be shown, two projects share a slug, or the README's blocks are malformed.
    """
    folder = folder.resolve()
    if folder.exists() and not folder.is_dir():
        raise PortfolioError(f"{folder} is a file; nothing was written", exit_code=2)
    previous = read_showcase(folder)
    cards = _read_cards(_project_folders(paths, previous, folder), previous, links or {})
    readme_path = folder / README
    current = _read_readme(readme_path)
    order = [card_block(card) for card in cards]
    contents = {card_block(card): render_card(card) for card in cards}
    before = find_spans(current.splitlines(keepends=True), source=str(readme_path))
    listed = [f"{CARD_PREFIX}{project.slug}" for project in previous.projects] if previous else []
    dropped = [name for name in listed if name not in contents and name in before]
    text = rewrite(
        current or _skeleton(cards),
        contents,
        order=order,
        remove=dropped,
        source=str(readme_path),
        heading="" if _has_projects_heading(current) else PROJECTS_HEADING,
    )
    user = user or (previous.answers.answers.get("project_slug") if previous else None)
    user = user or infer_user(cards)
    answers = _showcase_answers(folder, previous, cards, user)
    folder.mkdir(parents=True, exist_ok=True)
    _write_if_changed(readme_path, text)
    _write_if_changed(folder / ANSWERS_FILE, answers.to_json())
    commit = None
    if not (folder / ".git").exists():
        from portfolio.gitrepo import commit_paths

        commit = commit_paths(
            folder, (README, ANSWERS_FILE), CREATE_MESSAGE, fallback=_author(cards)
        )
    return ShowcaseResult(
        folder=folder,
        cards=tuple(cards),
        added=tuple(name for name in order if name not in before),
        refreshed=tuple(
            name
            for name in order
            if name in before and _block_text(current, before[name]) != contents[name]
        ),
        removed=tuple(dropped),
        adopted=previous is None and bool(current),
        user=user,
        commit=commit,
    )


def _project_folders(paths: Sequence[Path], previous: Showcase | None, folder: Path) -> list[Path]:
    if paths:
        return [path.resolve() for path in paths]
    if previous is None or not previous.projects:
        raise PortfolioError(
            f"no projects named and no showcase in {folder} yet",
            hint="name the projects' folders: portfolio showcase PATH... [-o DIR]",
            exit_code=2,
        )
    return [project.folder(folder) for project in previous.projects]


def _read_cards(
    folders: list[Path], previous: Showcase | None, links: Mapping[Path, Links]
) -> list[ProjectCard]:
    """Read every project, refusing the first that cannot be shown, and duplicated slugs."""
    cards = []
    for project in folders:
        given = links.get(project)
        card = read_card(project, links=given)
        remembered = previous.entry(project) if previous else None
        if given is None and card.links.live_demo is None and remembered is not None:
            # The live demo GitHub reported at the last --publish, when git recorded none.
            card = replace(card, links=Links(card.links.repository, remembered.links.live_demo))
        cards.append(card)
    counts = Counter(card.slug for card in cards)
    twice = sorted(slug for slug, count in counts.items() if count > 1)
    if twice:
        where = ", ".join(str(card.path) for card in cards if card.slug == twice[0])
        raise PortfolioError(
            f"two projects are named {twice[0]!r} ({where}); nothing was written",
            hint="show each project once, or rename one (its project_slug in .portfolio.json)",
            exit_code=2,
        )
    return cards


def _read_readme(path: Path) -> str:
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            return handle.read()
    except FileNotFoundError:
        return ""
    except (OSError, UnicodeDecodeError) as err:
        raise PortfolioError(f"cannot read {path}: {err}; nothing was written") from err


def _skeleton(cards: list[ProjectCard]) -> str:
    """Return the page before the cards: a title, and the introduction only the owner writes."""
    author = _author(cards).name
    title = author if author and author != _template_default("author_name") else "Portfolio"
    return f"# {title}\n\n" + textwrap.fill(INTRODUCTION, width=96) + "\n"


def _has_projects_heading(text: str) -> bool:
    return any(
        line.lstrip().startswith("#") and "project" in line.lower() for line in text.splitlines()
    )


def _block_text(text: str, span: Span) -> str:
    lines = text.splitlines()
    return "\n".join(lines[span.start + 1 : span.end]).strip("\n")


def _write_if_changed(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` in one step (temporary file, then rename), if it differs."""
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            if handle.read() == text:
                return
    except FileNotFoundError:
        pass
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    temporary = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        if path.exists():
            temporary.chmod(path.stat().st_mode)
        else:
            temporary.chmod(0o644)
        temporary.replace(path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _showcase_answers(
    folder: Path, previous: Showcase | None, cards: list[ProjectCard], user: str | None
) -> AnswersFile:
    author = _author(cards)
    # The profile repository is named after the user: ``publish`` creates ``project_slug``.
    named = {"project_slug": user, "github_username": user} if user else {}
    answers = {
        "project_name": "Portfolio",
        **named,
        "description": DESCRIPTION,
        "author_name": author.name,
        "author_email": author.email,
    }
    projects = [
        ShowcaseProject(
            path=Path(os.path.relpath(card.path, folder)).as_posix(),
            slug=card.slug,
            links=card.links,
        ).to_json()
        for card in cards
    ]
    extra = dict(previous.answers.extra) if previous else {}
    extra[PROJECTS_KEY] = projects
    return AnswersFile(
        template=SHOWCASE_TEMPLATE,
        tool_version=__version__,
        answers=answers,
        created_at=(
            previous.answers.created_at
            if previous
            else datetime.now(UTC).isoformat(timespec="seconds")
        ),
        extra=extra,
    )


def _author(cards: Sequence[ProjectCard]) -> Identity:
    """Return the author most projects name: who signs the commits and heads the page."""
    names = Counter(
        (card.answers.get("author_name", ""), card.answers.get("author_email", ""))
        for card in cards
    )
    (name, email), _count = names.most_common(1)[0] if names else (("", ""), 0)
    return Identity(name or "portfolio", email or "portfolio@localhost")


def _template_default(key: str) -> str:
    """Return the common layer's default for ``key``: what an untouched answer says."""
    from portfolio.questions import merge_contexts
    from portfolio.templates import templates_root

    try:
        return str(merge_contexts([templates_root() / "_common"]).get(key, ""))
    except TemplateError:
        return ""


def infer_user(cards: Sequence[ProjectCard]) -> str | None:
    """Guess the GitHub user: the one owner of every repository, else the one user answered."""
    owners = {
        parts[2].split("/")[0]
        for card in cards
        if card.links.repository and (parts := remote_parts(card.links.repository))
    }
    if len(owners) == 1:
        return owners.pop()
    default = _template_default("github_username")
    answered = {card.answers.get("github_username", "") for card in cards} - {"", default}
    return answered.pop() if len(answered) == 1 else None


# --- --publish ------------------------------------------------------------------------------


def publish_showcase(
    paths: Sequence[Path],
    *,
    folder: Path = DEFAULT_FOLDER,
    client: GitHubClient | None = None,
    token_source: Callable[[], str] = token_from_environment,
    progress: Progress | None = None,
) -> ShowcasePublished:
    """Refresh the showcase from GitHub's view of each project, then push it to ``<user>/<user>``.

    Each project on the client's GitHub gets its description and topics if it has none, and
    its card links GitHub's page and its Pages site, if enabled. The push is ``publish``'s own
    (same token rules). Raises ``PortfolioError`` before any call when a project cannot be
    shown or is not published, and ``publish``'s errors for the push.
    """
    from portfolio.gitrepo import commit_paths, origin_url
    from portfolio.publish import publish_project

    report = progress or _ignore
    folder = folder.resolve()
    previous = read_showcase(folder)
    projects = _project_folders(paths, previous, folder)
    cards = _read_cards(projects, previous, {})
    for card in cards:
        if card.links.repository is None:
            raise PortfolioError(
                f"{card.slug} is not published yet: run `portfolio publish {card.path}` first; "
                "nothing was published"
            )
    client = client or GitHubClient()
    token = token_source()
    changes: list[str] = []
    warnings: list[str] = []
    facts: dict[Path, Links] = {}
    with client.session(token) as session:
        login = session.login()
        for card in cards:
            facts[card.path] = _refresh_on_github(session, card, client, changes, warnings)
        profile = session.repository_about(login, login)
    for change in changes:
        report(change)
    existed = (folder / ".git").exists()
    showcase = write_showcase(projects, folder=folder, links=facts, user=login)
    if existed:
        commit_paths(folder, (README, ANSWERS_FILE), UPDATE_MESSAGE, fallback=_author(cards))
    try:
        published = publish_project(
            folder, client=client, token_source=lambda: token, progress=report
        )
    except GitHubError as err:
        if profile is not None and origin_url(folder) != profile.clone_url:
            hint = (
                f"{profile.full_name} already holds your profile: clone it (git clone "
                f"{profile.clone_url}) and run this again with -o pointing at the clone; your "
                "README is kept and the cards are added to it"
            )
            hint = f"{hint}\n{err.hint}"
            raise type(err)(err.message, hint=hint, exit_code=err.exit_code) from err
        raise
    host = published.web_url.rsplit("/", 2)[0] if published.web_url else "https://github.com"
    return ShowcasePublished(
        showcase=showcase,
        published=published,
        profile_url=f"{host}/{login}",
        changes=tuple(changes),
        warnings=tuple(warnings),
    )


def _refresh_on_github(
    session: GitHubSession,
    card: ProjectCard,
    client: GitHubClient,
    changes: list[str],
    warnings: list[str],
) -> Links:
    """Fill in a project's missing description and topics; return GitHub's links for it."""
    parts = remote_parts(card.links.repository or "")
    if parts is None or parts[1].split(":")[0] != git_origin(client.base_url)[1]:
        return card.links  # on another host: nothing to ask GitHub
    full_name = parts[2]
    owner, _, name = full_name.partition("/")
    try:
        about = session.repository_about(owner, name)
    except GitHubError as err:
        warnings.append(f"{full_name} not checked on GitHub ({err.message})")
        return card.links
    if about is None:
        warnings.append(
            f"{full_name} was not found on GitHub (or the token cannot see it): its card "
            f"links to it anyway; run `portfolio publish {card.path}`"
        )
        return card.links
    live_demo = card.links.live_demo
    try:
        if _fill_description(session, about.full_name, about.description, card):
            changes.append(f"Set the description of {about.full_name} (it had none)")
    except GitHubError as err:
        warnings.append(f"description of {about.full_name} not set ({err.message})")
    try:
        if _fill_topics(session, about.full_name, card):
            changes.append(f"Set the topics of {about.full_name} (it had none)")
    except GitHubError as err:
        warnings.append(f"topics of {about.full_name} not set ({err.message})")
    try:
        site = session.pages_site(about.full_name)
        live_demo = site.url if site is not None and site.url else None
    except GitHubError as err:
        warnings.append(f"GitHub Pages of {about.full_name} not checked ({err.message})")
    return Links(repository=about.html_url, live_demo=live_demo)


def _fill_description(
    session: GitHubSession, full_name: str, current: str, card: ProjectCard
) -> bool:
    if current.strip() or not card.description:
        return False
    session.update_repository(full_name, {"description": card.description[:_DESCRIPTION_MAX]})
    return True


def _fill_topics(session: GitHubSession, full_name: str, card: ProjectCard) -> bool:
    if session.topics(full_name):
        return False
    from portfolio.publish import TOPICS
    from portfolio.templates import describe

    try:
        own: tuple[str, ...] = describe(card.template).topics
    except TemplateError:
        own = (card.template,)
    session.set_topics(full_name, normalise_topics([*TOPICS, *own]))
    return True


def _ignore(_message: str) -> None:
    """Drop progress messages when the caller does not want them."""
