"""Render a template into a staging folder beside the target, then move it into place at once.

cookiecutter cleans up only after some failures; a syntax error, an I/O error or Ctrl-C would
leave half a project. Staging (render, answers file, first commit) in a hidden folder of the
same parent and one ``rename`` at the end mean the target either appears whole or not at all.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from portfolio import __version__
from portfolio.answers import AnswersFile, check_destination, write_answers_file
from portfolio.errors import PortfolioError, TemplateError
from portfolio.gitrepo import (
    CommitResult,
    Identity,
    configured_identity,
    init_and_commit,
    require_git,
)
from portfolio.questions import CONTEXT_FILE, Ask, merge_contexts, resolve_answers, visible_keys
from portfolio.templates import DESCRIPTION_FILE, TemplateInfo, describe

STAGING_SUFFIX = ".portfolio-staging"
#: The first commit's message; ``update`` trusts a root commit so named as the pristine render.
FIRST_COMMIT_MESSAGE = "Initial commit from portfolio {template} {version}"


@dataclass(frozen=True)
class CreatedProject:
    """A project that now exists on disk, and its first commit when git was used."""

    path: Path
    template: str
    answers: dict[str, str]
    commit: CommitResult | None


def template_context(info: TemplateInfo) -> dict[str, Any]:
    """Return the template's questions: its layers' ``cookiecutter.json`` merged, template last."""
    return merge_contexts([*info.layers, info.path])


def compose_template(info: TemplateInfo, dest: Path) -> Path:
    """Lay the template's layers and then the template itself into ``dest``; return ``dest``.

    The result is a plain cookiecutter template: later layers win file by file, and the
    ``cookiecutter.json`` files are merged.
    """
    for layer in [*info.layers, info.path]:
        shutil.copytree(
            layer,
            dest,
            dirs_exist_ok=True,
            ignore=shutil.ignore_patterns(CONTEXT_FILE, DESCRIPTION_FILE, "__pycache__", "*.pyc"),
        )
    context = template_context(info)
    (dest / CONTEXT_FILE).write_text(
        json.dumps(context, indent=2, ensure_ascii=False), encoding="utf-8"
    )
    return dest


def create_project(
    info: TemplateInfo,
    answers: dict[str, Any],
    *,
    output_dir: Path,
    init_git: bool = True,
) -> CreatedProject:
    """Generate ``info`` with ``answers`` into ``output_dir/<slug>`` and make the first commit.

    Raises ``DestinationExistsError`` before writing anything if the target exists,
    ``TemplateError`` if rendering fails and ``GitError`` if git does; in every failure case,
    and on Ctrl-C, nothing is left behind.
    """
    output_dir = output_dir.resolve()
    target = output_dir / str(answers["project_slug"])
    check_destination(target)
    if init_git:
        require_git()
    created_dirs = _missing_parents(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(
        tempfile.mkdtemp(prefix=f".{target.name}.", suffix=STAGING_SUFFIX, dir=output_dir)
    )
    done = False
    try:
        project = _render(info, answers, staging)
        visible = {key: str(answers[key]) for key in visible_keys(answers)}
        answers_file = AnswersFile(info.name, __version__, visible)
        commit = None
        if init_git:
            fallback = Identity(str(answers["author_name"]), str(answers["author_email"]))
            message = FIRST_COMMIT_MESSAGE.format(template=info.name, version=__version__)
            commit = init_and_commit(
                project,
                message,
                fallback=fallback,
                before_commit=lambda tree: write_answers_file(
                    project, answers_file.with_pristine(tree=tree)
                ),
            )
        else:
            write_answers_file(project, answers_file)
        check_destination(target)
        project.rename(target)
        done = True
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        if not done:
            for folder in created_dirs:
                _remove_if_empty(folder)
    return CreatedProject(path=target, template=info.name, answers=visible, commit=commit)


def render_template(info: TemplateInfo, answers: dict[str, Any], staging: Path) -> Path:
    """Render ``info`` with ``answers`` under ``staging``, a folder the caller owns; return it.

    ``portfolio update`` renders a new version this way, outside the project, before git sees it.
    Raises ``TemplateError`` when the template fails to render.
    """
    return _render(info, answers, staging)


def _render(info: TemplateInfo, answers: dict[str, Any], staging: Path) -> Path:
    from cookiecutter.exceptions import CookiecutterException
    from cookiecutter.generate import generate_files
    from jinja2 import TemplateError as JinjaError

    template_dir = compose_template(info, staging / "template")
    try:
        rendered = generate_files(
            repo_dir=template_dir,
            context={"cookiecutter": answers},
            output_dir=staging / "out",
            accept_hooks=False,
        )
    except CookiecutterException as err:
        detail = getattr(getattr(err, "error", None), "message", "") or ""
        raise TemplateError(
            f"template {info.name!r} failed to render: {err} {detail}".strip()
        ) from err
    except JinjaError as err:
        filename, line = getattr(err, "filename", None), getattr(err, "lineno", "?")
        where = f"{filename}:{line}: " if filename else ""
        raise TemplateError(f"template {info.name!r} failed to render: {where}{err}") from err
    except OSError as err:
        raise PortfolioError(
            f"cannot write the project: {err}", hint="check free space and permissions"
        ) from err
    return Path(rendered)


def _missing_parents(path: Path) -> list[Path]:
    """Return the folders ``mkdir(parents=True)`` would create, deepest first."""
    missing = []
    while not path.exists():
        missing.append(path)
        path = path.parent
    return missing


def _remove_if_empty(folder: Path) -> None:
    with contextlib.suppress(OSError):
        folder.rmdir()


def new_project(
    template: str,
    *,
    output_dir: Path,
    given: dict[str, str],
    ask: Ask | None = None,
    init_git: bool = True,
) -> CreatedProject:
    """Resolve the answers for ``template`` (asking through ``ask`` if given), then create it.

    The destination is checked as soon as the slug is known, before any later question, and
    every ``--set`` value is validated before the first question.
    """
    info = describe(template)
    if init_git:
        require_git()
    identity = configured_identity()
    defaults = {"author_name": identity.name, "author_email": identity.email} if identity else {}

    def on_answer(key: str, value: str) -> None:
        if key == "project_slug":
            check_destination(output_dir.resolve() / value)

    answers = resolve_answers(
        template_context(info), given=given, defaults=defaults, ask=ask, on_answer=on_answer
    )
    return create_project(info, answers, output_dir=output_dir, init_git=init_git)
