"""Render a template into a staging folder beside the target, then move it into place at once.

cookiecutter cleans up only after some failures; a syntax error, an I/O error or Ctrl-C would
leave half a project. Staging (render, answers file, first commit) in a hidden folder of the
same parent and one ``rename`` at the end mean the target either appears whole or not at all.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import tempfile
import time
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
from portfolio.interrupts import Interrupted, shielded
from portfolio.questions import CONTEXT_FILE, Ask, merge_contexts, resolve_answers, visible_keys
from portfolio.templates import DESCRIPTION_FILE, TemplateInfo, describe

STAGING_SUFFIX = ".portfolio-staging"
#: The first commit's message; ``update`` trusts a root commit so named as the pristine render.
FIRST_COMMIT_MESSAGE = "Initial commit from portfolio {template} {version}"
_REMOVE_ATTEMPTS = 5


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
    ``TemplateError`` if rendering fails, ``GitError`` if git does and ``PortfolioError`` if
    the files cannot be written (a file where a folder should be, a read-only place, a full
    disk). In every failure case, and on Ctrl-C, SIGTERM or SIGHUP, nothing is left behind:
    the staging folder and any folder made for ``output_dir`` are removed. The rename that
    puts the project in place and that clean-up run with stop signals deferred, so a signal
    never cuts them in half; one that arrives after the rename leaves the complete project,
    and the ``Interrupted`` raised then says so.
    """
    output_dir = output_dir.resolve()
    target = output_dir / str(answers["project_slug"])
    check_destination(target)
    if init_git:
        require_git()
    visible = {key: str(answers[key]) for key in visible_keys(answers)}
    state = _Progress()
    with shielded() as shield:
        try:
            created_dirs = _make_output_dir(output_dir)
            try:
                state.staging = _make_staging(output_dir, target.name)
                with shield.allow():
                    project, commit = _stage(info, visible, answers, state.staging, init_git)
                check_destination(target)
                _move_into_place(project, target)
                state.done = True
            finally:
                state.cleaned = state.staging is None or _remove_tree(state.staging)
                if not state.done:
                    for folder in created_dirs:
                        _remove_if_empty(folder)
            shield.release()  # a signal held off above stops us here, project complete
        except KeyboardInterrupt as err:
            raise Interrupted.of(err, state.outcome(target)) from None
    return CreatedProject(path=target, template=info.name, answers=visible, commit=commit)


@dataclass
class _Progress:
    """How far ``create_project`` got, so an interruption can say truthfully what is on disk."""

    staging: Path | None = None
    done: bool = False
    cleaned: bool = False

    def outcome(self, target: Path) -> str:
        if self.done:
            return f"the project is complete at {target}"
        if not self.cleaned:
            return f"the unfinished project is in {self.staging}; delete that folder"
        return "nothing was written"


def _stage(
    info: TemplateInfo,
    visible: dict[str, str],
    answers: dict[str, Any],
    staging: Path,
    init_git: bool,
) -> tuple[Path, CommitResult | None]:
    """Render the project, add its answers file and make the first commit, all in ``staging``.

    Returns the rendered project's folder and its first commit (None without git).
    """
    project = _render(info, answers, staging)
    answers_file = AnswersFile(info.name, __version__, visible)

    def write(content: AnswersFile) -> None:
        try:
            write_answers_file(project, content)
        except OSError as err:
            raise _write_error(staging.parent, err) from err

    if not init_git:
        write(answers_file)
        return project, None
    fallback = Identity(str(answers["author_name"]), str(answers["author_email"]))
    message = FIRST_COMMIT_MESSAGE.format(template=info.name, version=__version__)
    # The answers file records the tree of the untouched render (without itself), which
    # `portfolio update` merges from, so it is written once that tree is known.
    commit = init_and_commit(
        project,
        message,
        fallback=fallback,
        before_commit=lambda tree: write(answers_file.with_pristine(tree=tree)),
    )
    return project, commit


def render_template(info: TemplateInfo, answers: dict[str, Any], staging: Path) -> Path:
    """Render ``info`` with ``answers`` under ``staging``, a folder the caller owns; return it.

    ``portfolio update`` renders a new version this way, outside the project, before git sees it.
    Raises ``TemplateError`` when the template fails to render.
    """
    return _render(info, answers, staging)


def _make_output_dir(output_dir: Path) -> list[Path]:
    """Create ``output_dir`` if needed; return the folders made, deepest first.

    Raises ``PortfolioError`` (bad input, exit code 2) when a file stands where a folder must
    be or the place cannot be written.
    """
    created = _missing_parents(output_dir)
    try:
        output_dir.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        for folder in created:
            _remove_if_empty(folder)
        raise _destination_error(output_dir, err) from err
    return created


def _make_staging(output_dir: Path, name: str) -> Path:
    try:
        return Path(tempfile.mkdtemp(prefix=f".{name}.", suffix=STAGING_SUFFIX, dir=output_dir))
    except OSError as err:
        raise _destination_error(output_dir, err) from err


def _move_into_place(project: Path, target: Path) -> None:
    try:
        project.rename(target)
    except OSError as err:
        raise _write_error(target.parent, err) from err


def _destination_error(output_dir: Path, err: OSError) -> PortfolioError:
    """Explain why a project cannot be created in ``output_dir``: a path problem, exit code 2."""
    blocker = next((p for p in (output_dir, *output_dir.parents) if p.exists()), None)
    if blocker is not None and not blocker.is_dir():
        reason = f"{blocker} is a file, not a folder"
    else:
        reason = err.strerror or str(err)
    return PortfolioError(
        f"cannot create the project in {output_dir}: {reason}; nothing was written",
        hint="choose a folder you can write to with -o DIR",
        exit_code=2,
    )


def _write_error(output_dir: Path, err: OSError) -> PortfolioError:
    """Explain a failure to write the project's files (a full disk, a read-only place)."""
    reason = err.strerror
    if isinstance(err, shutil.Error) and err.args and isinstance(err.args[0], list):
        # copytree gathers (source, destination, "[Errno N] text: paths") per file it could
        # not copy; the errno of the first says it all.
        first = str(err.args[0][0][2]) if err.args[0] else str(err)
        number = re.match(r"\[Errno (\d+)\]", first)
        reason = os.strerror(int(number[1])) if number else first
    return PortfolioError(
        f"cannot write the project in {output_dir}: {reason or err}; nothing was written",
        hint="free some space, or choose a folder you can write to with -o DIR",
    )


def _remove_tree(folder: Path) -> bool:
    """Remove ``folder`` and say whether it is gone.

    A git process killed a moment ago may still finish one last file system call, so a
    removal that races it is tried again a few times.
    """
    for attempt in range(_REMOVE_ATTEMPTS):
        shutil.rmtree(folder, ignore_errors=True)
        if not folder.exists():
            return True
        time.sleep(0.05 * (attempt + 1))
    return False


def _render(info: TemplateInfo, answers: dict[str, Any], staging: Path) -> Path:
    from cookiecutter.exceptions import CookiecutterException
    from cookiecutter.generate import generate_files
    from jinja2 import TemplateError as JinjaError

    try:
        template_dir = compose_template(info, staging / "template")
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
        raise _write_error(staging.parent, err) from err
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
    every ``--set`` value is validated before the first question. An interruption raises
    ``Interrupted`` saying what is on disk (see ``create_project``).
    """
    try:
        info = describe(template)
        if init_git:
            require_git()
        identity = configured_identity()
        defaults = (
            {"author_name": identity.name, "author_email": identity.email} if identity else {}
        )

        def on_answer(key: str, value: str) -> None:
            if key == "project_slug":
                check_destination(output_dir.resolve() / value)

        answers = resolve_answers(
            template_context(info), given=given, defaults=defaults, ask=ask, on_answer=on_answer
        )
    except KeyboardInterrupt as err:  # still asking: nothing is on disk yet
        raise Interrupted.of(err, "nothing was written") from None
    return create_project(info, answers, output_dir=output_dir, init_git=init_git)
