"""Answers: the rules every answer must meet, and the answers file kept in each project.

Validation happens before anything is written, so a bad name costs the user nothing.
"""

from __future__ import annotations

import functools
import json
import keyword
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from portfolio.errors import AnswerError, DestinationExistsError, PortfolioError

ANSWERS_FILE = ".portfolio.json"
ANSWERS_SCHEMA = 1
#: Keys of ``.portfolio.json`` that locate the template's last pristine render for ``update``:
#: the git tree id of that render without ``.portfolio.json``, and the commit that holds it
#: (absent: the root commit, since the first commit cannot name itself).
PRISTINE_TREE = "pristine_tree"
PRISTINE_COMMIT = "pristine_commit"

_SLUG = re.compile(r"[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*")
_GITHUB_USER = re.compile(r"[A-Za-z0-9](?:-?[A-Za-z0-9]){0,38}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_MAX_SLUG = 64

#: Names the generated layout itself uses at the top of ``sys.path`` (with ``pythonpath``).
LAYOUT_NAMES = frozenset({"conftest", "src", "tests"})
#: The import names of the generated projects' whole dependency closure, one a line; written
#: by ``scripts/update_reserved_names.py`` from the installed distributions' metadata.
RESERVED_NAMES_FILE = "reserved_names.txt"


def package_name(slug: str) -> str:
    """Return the import name the generated project uses for ``slug``."""
    return slug.replace("-", "_")


def slug_problem(slug: str) -> str | None:
    """Say why ``slug`` cannot name a project folder, distribution and package; None if it can."""
    if not slug:
        return "it is empty"
    if "/" in slug or "\\" in slug or ".." in slug or slug in {".", "~"}:
        return "it is a path; the slug names one folder (use -o/--output-dir to choose where)"
    if len(slug) > _MAX_SLUG:
        return f"it is longer than {_MAX_SLUG} characters"
    if not _SLUG.fullmatch(slug):
        return (
            "use lowercase letters, digits and single '-' or '_' between them, "
            "starting with a letter"
        )
    package = package_name(slug)
    if keyword.iskeyword(package):
        return f"{package!r} is a Python keyword"
    if package in sys.stdlib_module_names:
        return f"{package!r} is a Python standard-library module and would shadow it"
    if package in LAYOUT_NAMES or package in reserved_names():
        return f"{package!r} would shadow a package the project depends on"
    return None


@functools.cache
def reserved_names() -> frozenset[str]:
    """Return the import names a generated project's dependencies install (see the file)."""
    text = resources.files("portfolio").joinpath(RESERVED_NAMES_FILE).read_text(encoding="utf-8")
    return frozenset(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


def suggest_slug(text: str) -> str:
    """Return a valid slug close to ``text``, for error messages and defaults."""
    from slugify import slugify  # cookiecutter's own dependency; only needed on this path

    slug = slugify(text, max_length=_MAX_SLUG, word_boundary=True) or "ml-project"
    if not slug[0].isalpha():
        slug = f"project-{slug}"
    if slug_problem(slug) is not None:
        slug = f"{slug}-project"
    return slug[:_MAX_SLUG].rstrip("-_") if slug_problem(slug) is None else "ml-project"


def _single_line(key: str, value: str) -> str | None:
    if not value.strip():
        return "it is empty"
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
        return "it must be one line without control characters"
    return None


def _encodable(value: str) -> str | None:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "it holds bytes that are not valid UTF-8"
    return None


def _printable(value: str) -> str | None:
    if any((ord(c) < 0x20 and c not in "\n\r\t") or ord(c) == 0x7F for c in value):
        return "it holds control characters (only newlines and tabs are allowed)"
    return None


def answer_problem(key: str, value: str, choices: tuple[str, ...] = ()) -> str | None:
    """Say what is wrong with one answer, or None if it is acceptable."""
    problem = _encodable(value) or _printable(value)
    if problem:
        return problem
    if choices:
        return None if value in choices else f"choose one of: {', '.join(choices)}"
    if key == "project_slug":
        return slug_problem(value)
    if key in {"project_name", "author_name"}:
        return _single_line(key, value)
    if key == "author_email" and not _EMAIL.fullmatch(value):
        return "it is not an e-mail address like name@example.com"
    if key == "github_username" and not _GITHUB_USER.fullmatch(value):
        return "GitHub user names are letters, digits and single hyphens, at most 39 characters"
    return None


def validate_answer(key: str, value: str, choices: tuple[str, ...] = ()) -> str:
    """Return ``value`` if valid; raise ``AnswerError`` naming the key, the problem and a fix."""
    problem = answer_problem(key, value, choices)
    if problem is None:
        return value
    hint = ""
    if key == "project_slug":
        hint = f"try --set project_slug={suggest_slug(value)}"
    elif choices:
        hint = f"e.g. --set {key}={choices[0]}"
    raise AnswerError(f"invalid {key} {_shorten(value)!r}: {problem}", hint=hint, exit_code=2)


def check_destination(target: Path) -> None:
    """Refuse a target that exists, whatever it holds: the user's files are never touched."""
    if target.exists() or target.is_symlink():
        raise DestinationExistsError(
            f"{target} already exists; nothing was written",
            hint=f"choose another name (--set project_slug={target.name}-2) or folder (-o DIR)",
            exit_code=2,
        )


def check_known_keys(given: Mapping[str, str], known: list[str]) -> None:
    """Refuse ``--set`` keys the template does not ask, listing the ones it does."""
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise AnswerError(
            f"unknown answer key {', '.join(map(repr, unknown))}",
            hint=f"valid keys: {', '.join(known)}",
            exit_code=2,
        )


def _shorten(value: str, limit: int = 60) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


@dataclass(frozen=True)
class AnswersFile:
    """What a generated project remembers about how it was made."""

    template: str
    tool_version: str
    answers: dict[str, str]
    created_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    extra: dict[str, Any] = field(default_factory=dict)

    def with_pristine(self, *, tree: str, commit: str | None = None) -> AnswersFile:
        """Return a copy recording the last pristine render: its tree, and commit unless root."""
        extra = {key: value for key, value in self.extra.items() if key != PRISTINE_COMMIT}
        extra[PRISTINE_TREE] = tree
        if commit is not None:
            extra[PRISTINE_COMMIT] = commit
        return replace(self, extra=extra)

    def to_json(self) -> str:
        """Serialise with a stable key order so the file diffs cleanly."""
        data: dict[str, Any] = {
            "schema": ANSWERS_SCHEMA,
            "template": self.template,
            "tool_version": self.tool_version,
            "created_at": self.created_at,
            "answers": self.answers,
            **self.extra,
        }
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def write_answers_file(project: Path, answers: AnswersFile) -> Path:
    """Write ``.portfolio.json`` into ``project`` and return its path."""
    path = project / ANSWERS_FILE
    path.write_text(answers.to_json(), encoding="utf-8")
    return path


def read_answers_file(project: Path) -> AnswersFile:
    """Read a project's answers file; raise ``PortfolioError`` if it is not a generated project."""
    path = project / ANSWERS_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as err:
        raise PortfolioError(
            f"{project} is not a portfolio project (no {ANSWERS_FILE})",
            hint="run this inside a folder made by `portfolio new`",
        ) from err
    except (OSError, ValueError) as err:
        raise PortfolioError(
            f"cannot read {path}: {err}", hint=f"restore {ANSWERS_FILE} from git"
        ) from err
    return parse_answers_file(text, source=str(path))


def parse_answers_file(text: str, *, source: str) -> AnswersFile:
    """Parse the text of an answers file; ``source`` names it (a path, ``commit:file``) in errors.

    Raises ``PortfolioError`` when it is not JSON or lacks a field.
    """
    known = {"schema", "template", "tool_version", "created_at", "answers"}
    try:
        data = json.loads(text)
        return AnswersFile(
            template=str(data["template"]),
            tool_version=str(data["tool_version"]),
            answers={str(k): str(v) for k, v in dict(data["answers"]).items()},
            created_at=str(data["created_at"]),
            extra={k: v for k, v in data.items() if k not in known},
        )
    except ValueError as err:
        raise PortfolioError(
            f"cannot read {source}: {err}", hint=f"restore {ANSWERS_FILE} from git"
        ) from err
    except (KeyError, TypeError) as err:
        raise PortfolioError(
            f"{source} is malformed (missing {err})", hint=f"restore {ANSWERS_FILE} from git"
        ) from err


def update_answers_file(project: Path, **fields: Any) -> bool:
    """Set extra top-level fields (such as ``remote``) in ``.portfolio.json``; say if it changed.

    The answers themselves are never rewritten here: they describe how the project was made.
    """
    current = read_answers_file(project)
    extra = {**current.extra, **fields}
    if extra == current.extra:
        return False
    write_answers_file(project, replace(current, extra=extra))
    return True
