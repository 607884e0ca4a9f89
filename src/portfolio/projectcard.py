"""What the profile page says about one project, read from the project itself.

Every field comes from the project as its last run and its owner left it: the title and the
one-sentence problem from its README (the owner's words), the headline result from
``reports/metrics.json`` (written by code, with its interval), the stack from its
``pyproject.toml``, the links from its git remote and recorded GitHub Pages URL. A project
that cannot be shown yet is refused with one line that says what to run, and where.
"""

from __future__ import annotations

import json
import math
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from portfolio.answers import ANSWERS_FILE, AnswersFile, read_answers_file
from portfolio.check import PLACEHOLDER, SECTIONS
from portfolio.errors import PortfolioError

METRICS_FILE = Path("reports") / "metrics.json"
MODEL_CARD = "MODEL_CARD.md"
HEADLINE_SCHEMA = 1
#: The template name that marks a showcase folder's ``.portfolio.json``.
SHOWCASE_TEMPLATE = "showcase"

_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t]*#*[ \t]*$")
_FENCE = re.compile(r"^[ \t]{0,3}(```|~~~)")
_LINK = re.compile(r"(!?)\[([^\]]*)\]\(([^)\s]*)(?:\s+\"[^\"]*\")?\)")
# A sentence ends at . ! or ? followed by a space and what starts a sentence; a few
# abbreviations that end in a full stop do not end one.
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”')]?\s+(?=[\"“(\[]?[A-Z0-9])")
_ABBREVIATIONS = ("e.g.", "i.e.", "etc.", "vs.", "approx.", "cf.", "Dr.", "Mr.", "Ms.", "No.")
_PROBLEM_MAX = 300
#: Dependencies every project of the templates pulls in under the libraries a reviewer
#: recognises (numpy under pandas, uvicorn and pydantic under FastAPI...): left off the stack
#: line so it names the choices, not the plumbing.
_FOUNDATIONS = frozenset(
    {"numpy", "scipy", "pyarrow", "pyyaml", "tqdm", "uvicorn", "pydantic", "joblib", "requests"}
)
_DISPLAY_NAMES = {"fastapi": "FastAPI", "pytorch": "PyTorch", "torch": "PyTorch"}


@dataclass(frozen=True)
class Headline:
    """The one number a card has room for: ``headline.items[0]`` of the project's metrics."""

    label: str
    estimate: float
    low: float
    high: float
    confidence: float
    unit: str
    text: str


@dataclass(frozen=True)
class Links:
    """Where a reader can go from a card; None where the project has no such place yet."""

    repository: str | None = None
    live_demo: str | None = None


@dataclass(frozen=True)
class ProjectCard:
    """Everything one card of the profile page shows, and where it came from."""

    path: Path
    slug: str
    template: str
    title: str
    problem: str
    problem_written: bool
    description: str
    headline: Headline
    stack: tuple[str, ...]
    links: Links
    has_model_card: bool
    answers: dict[str, str]

    @property
    def model_card(self) -> str | None:
        """The model card's page in the repository, when both exist."""
        if self.links.repository is None or not self.has_model_card:
            return None
        return f"{self.links.repository}/blob/main/{MODEL_CARD}"


def read_card(path: Path, *, links: Links | None = None) -> ProjectCard:
    """Read the project at ``path`` into a card; ``links`` replaces what git knows locally.

    Raises ``PortfolioError`` (one line naming the project and the fix) when ``path`` is not a
    portfolio project, is a showcase, or has no results with a headline yet.
    """
    answers = _answers(path)
    headline = read_headline(path)
    readme = _read_optional(path / "README.md")
    sentence = problem_sentence(readme)
    description = " ".join(answers.answers.get("description", "").split())
    return ProjectCard(
        path=path,
        slug=answers.answers.get("project_slug") or path.name,
        template=answers.template,
        title=readme_title(readme) or answers.answers.get("project_name") or path.name,
        problem=sentence or _first_sentence(description),
        problem_written=sentence is not None,
        description=description,
        headline=headline,
        stack=project_stack(path),
        links=links if links is not None else local_links(path),
        has_model_card=(path / MODEL_CARD).is_file(),
        answers=dict(answers.answers),
    )


def _answers(path: Path) -> AnswersFile:
    if not path.is_dir():
        raise PortfolioError(f"{path} is not a folder: showcase takes the projects' folders")
    if not (path / ANSWERS_FILE).is_file():
        raise PortfolioError(
            f"{path} is not a portfolio project (no {ANSWERS_FILE}): showcase takes the "
            "folders `portfolio new` made"
        )
    answers = read_answers_file(path)
    if answers.template == SHOWCASE_TEMPLATE:
        raise PortfolioError(f"{path} is a showcase, not a project: name the projects' folders")
    return answers


def read_headline(path: Path) -> Headline:
    """Return ``headline.items[0]`` of the project's last report; raise when it cannot be shown."""
    metrics = path / METRICS_FILE
    again = f"run `make all` in {path} first"
    try:
        data = json.loads(metrics.read_text(encoding="utf-8"))
    except FileNotFoundError as err:
        raise PortfolioError(f"{path.name} has no results yet: {again}") from err
    except (OSError, ValueError) as err:
        raise PortfolioError(f"{metrics} cannot be read ({err}): {again}") from err
    headline = data.get("headline") if isinstance(data, dict) else None
    if headline is None:
        raise PortfolioError(
            f"{path.name}'s results have no headline (its template predates it): run "
            f"`portfolio update` and then `make all` in {path} first"
        )
    try:
        if headline["schema"] != HEADLINE_SCHEMA:
            found_schema = headline["schema"]
            raise ValueError(f"schema {found_schema!r}; this portfolio reads {HEADLINE_SCHEMA}")
        item = headline["items"][0]
        found = Headline(
            label=_text(item["label"]),
            estimate=_finite(item["estimate"]),
            low=_finite(item["low"]),
            high=_finite(item["high"]),
            confidence=_finite(item["confidence"]),
            unit=_text(item.get("unit", ""), empty=True),
            text=_text(item["text"]),
        )
    except (KeyError, IndexError, TypeError, ValueError) as err:
        raise PortfolioError(
            f"{metrics} has a malformed headline ({type(err).__name__}: {err}): {again}"
        ) from err
    return found


def _text(value: Any, *, empty: bool = False) -> str:
    if not isinstance(value, str) or not (empty or value.strip()):
        raise TypeError(f"expected text, found {value!r}")
    return " ".join(value.split())


def _finite(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise TypeError(f"expected a finite number, found {value!r}")
    return float(value)


def _read_optional(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def _headings(text: str) -> list[tuple[int, int, str]]:
    """Return ``(line, level, title)`` for every ATX heading outside fenced code."""
    found = []
    fenced = False
    for number, line in enumerate(text.splitlines()):
        if _FENCE.match(line):
            fenced = not fenced
        elif not fenced and (match := _HEADING.match(line)):
            found.append((number, len(match[1]), match[2]))
    return found


def readme_title(readme: str) -> str | None:
    """Return the README's first level-1 heading: the title the owner gave the project."""
    return next((title for _line, level, title in _headings(readme) if level == 1), None)


def problem_sentence(readme: str) -> str | None:
    """Return the first sentence of the README's problem section, once the owner wrote it.

    The section is the one ``portfolio check`` calls the problem (the same heading words).
    While a placeholder is left in it, the prose there is the template's, not the owner's:
    None. Comments, code and tables are skipped.
    """
    lines = readme.splitlines()
    headings = _headings(readme)
    for index, (line, level, title) in enumerate(headings):
        lowered = title.lower()
        claimed = next((name for name, words in SECTIONS if any(w in lowered for w in words)), None)
        if claimed != "problem":
            continue
        end = next((n for n, lvl, _t in headings[index + 1 :] if lvl <= level), len(lines))
        body = re.sub(r"<!--.*?-->", "", "\n".join(lines[line + 1 : end]), flags=re.DOTALL)
        if PLACEHOLDER in body:
            return None
        for paragraph in re.split(r"\n[ \t]*\n", body):
            if _is_prose(paragraph):
                return _first_sentence(_plain_links(" ".join(paragraph.split())))
        return None
    return None


def _is_prose(paragraph: str) -> bool:
    stripped = paragraph.strip()
    return bool(stripped) and not (
        stripped.startswith(("|", "#", "```", "~~~", "![", "<"))
        or paragraph.startswith(("    ", "\t"))
    )


def _plain_links(text: str) -> str:
    """Keep a link's text and drop its target: a project-relative link breaks on a profile."""
    return _LINK.sub(lambda match: "" if match[1] else match[2], text).strip()


def _first_sentence(text: str) -> str:
    for match in _SENTENCE_END.finditer(text):
        head = text[: match.start()].rstrip("\"”')")
        if not head.endswith(_ABBREVIATIONS):
            return text[: match.start()].strip()
    if len(text) <= _PROBLEM_MAX:
        return text
    return text[:_PROBLEM_MAX].rsplit(" ", 1)[0] + "…"


def project_stack(path: Path) -> tuple[str, ...]:
    """Return the Python floor and the direct dependencies a reviewer recognises, in order."""
    try:
        project = tomllib.loads((path / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    except (OSError, ValueError, KeyError):
        return ()
    stack = []
    floor = re.search(r">=\s*(\d+\.\d+)", str(project.get("requires-python", "")))
    if floor:
        stack.append(f"Python {floor[1]}+")
    for requirement in project.get("dependencies", []):
        name = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", str(requirement))
        if name is None:
            continue
        key = re.sub(r"[-_.]+", "-", name[0].lower())
        if key not in _FOUNDATIONS:
            stack.append(_DISPLAY_NAMES.get(key, name[0]))
    return tuple(stack)


def local_links(path: Path) -> Links:
    """Return the links git knows here: ``origin``'s web page, the recorded Pages URL."""
    from portfolio.gitrepo import origin_url, read_setting
    from portfolio.pages import PAGES_SETTING

    if not (path / ".git").exists():
        return Links()
    remote = origin_url(path)
    return Links(
        repository=web_url(remote) if remote else None,
        live_demo=read_setting(path, PAGES_SETTING),
    )


def remote_parts(url: str) -> tuple[str, str, str] | None:
    """Return ``(scheme, host, owner/name)`` of a hosted git URL (https or ssh), else None.

    ``scheme`` is that of the web page: https for ssh remotes. A folder or ``file://`` remote
    has no web page.
    """
    if "://" in url:
        parts = urlsplit(url)
        if parts.scheme not in {"http", "https", "ssh", "git"} or not parts.hostname:
            return None
        web = parts.scheme in {"http", "https"}
        # An ssh port is not the web server's: the page is on the host's default port.
        scheme = parts.scheme if web else "https"
        host = parts.hostname + (f":{parts.port}" if web and parts.port else "")
        path = parts.path
    elif re.match(r"^[^/:]+@[^/:]+:", url):
        user_host, _, path = url.partition(":")
        scheme, host = "https", user_host.rpartition("@")[2]
    else:
        return None
    names = path.strip("/").removesuffix(".git").split("/")
    if len(names) < 2 or not all(names[-2:]):
        return None
    return scheme, host.lower(), "/".join(names[-2:])


def web_url(remote: str) -> str | None:
    """Return the web page of a git remote (``https://github.com/owner/name``), or None."""
    parts = remote_parts(remote)
    return f"{parts[0]}://{parts[1]}/{parts[2]}" if parts else None
