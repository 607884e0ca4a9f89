"""`portfolio update`: render the installed template with the stored answers; let git merge it.

The base of the three-way merge is the pristine render the project came from: the commit that
``.portfolio.json`` records as ``pristine_commit``, or else the root commit, which
``portfolio new`` made from the untouched render. The new render is committed beside the
owner's work, never in it: a scratch index turns the rendered folder into a tree and
``commit-tree`` puts it on top of the base (the new pristine commit); a second commit carries
the project's report output into it (every marker block's content and ``reports/``, as the
owner's last ``make all`` wrote them), so report output never conflicts and the pristine commit
stays the exact render the next update and ``--check`` compare with. ``git merge --no-commit``
then brings that into the owner's branch, so conflicts are ordinary git conflicts. Until the
merge starts nothing but git objects is written; a failure after it starts aborts the merge.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from portfolio import __version__
from portfolio.answers import (
    ANSWERS_FILE,
    PRISTINE_COMMIT,
    PRISTINE_TREE,
    AnswersFile,
    check_known_keys,
    parse_answers_file,
    read_answers_file,
    validate_answer,
    write_answers_file,
)
from portfolio.errors import AnswerError, GitError, PortfolioError, TemplateError
from portfolio.generate import FIRST_COMMIT_MESSAGE, render_template, template_context
from portfolio.gitrepo import UPDATE_REF_PREFIX, Identity, Plumbing, uncommitted_changes
from portfolio.questions import resolve_answers, visible_keys
from portfolio.templates import TemplateInfo, describe

#: Folders the project's report step writes whole; the update keeps the owner's copy.
REPORT_FOLDERS = ("reports",)
#: How to find the pristine render when the record no longer leads to it.
FIND_BASE_HINT = (
    "point update at the commit that holds the template's untouched render: "
    "portfolio update --base REV (the first commit, 'Initial commit from portfolio ...', or the "
    "latest 'Render the ... template' commit; `git log --oneline -- .portfolio.json` lists them)"
)
_MARKER = re.compile(
    r"^[ \t]*<!--[ \t]*portfolio:([A-Za-z0-9][A-Za-z0-9_.-]*):(start|end)[ \t]*-->[ \t]*\r?\n?\Z"
)


@dataclass(frozen=True)
class TemplateChanges:
    """The files the template itself changed between the pristine render and the new one."""

    added: tuple[str, ...] = ()
    modified: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.added) + len(self.modified) + len(self.removed)


@dataclass(frozen=True)
class AnswerChange:
    """One answer that differs from the stored one: ``old`` is None for a new question."""

    key: str
    old: str | None
    new: str | None


@dataclass(frozen=True)
class UpdateResult:
    """What an update found and, unless it was a preview, did.

    ``pristine`` is the new pristine commit and ``merge_commit`` the commit that concluded the
    merge: None for a preview, when already up to date, or while ``conflicts`` wait for the
    owner. For a preview, ``conflicts`` are those git predicts.
    """

    project: Path
    template: str
    branch: str
    from_version: str
    to_version: str
    base: str
    up_to_date: bool
    changes: TemplateChanges = field(default_factory=TemplateChanges)
    answer_changes: tuple[AnswerChange, ...] = ()
    kept: tuple[str, ...] = ()
    conflicts: tuple[str, ...] = ()
    conflicts_known: bool = True
    pristine: str | None = None
    merge_commit: str | None = None
    label: str = ""
    diff: str | None = None


@dataclass(frozen=True)
class _Project:
    """Everything an update needs to know before it renders anything."""

    path: Path
    git: Plumbing
    branch: str
    stored: AnswersFile
    info: TemplateInfo
    answers: dict[str, Any]
    answer_changes: tuple[AnswerChange, ...]
    base: str

    @property
    def visible(self) -> dict[str, str]:
        return {key: str(self.answers[key]) for key in visible_keys(self.answers)}

    @property
    def author(self) -> Identity:
        return Identity(
            self.visible.get("author_name", "portfolio"),
            self.visible.get("author_email", "portfolio@localhost"),
        )

    @property
    def label(self) -> str:
        """The template side's name in conflict markers, also a valid ref name."""
        name = re.sub(r"[^A-Za-z0-9._-]+", "-", f"{self.info.name}-{__version__}").strip(".-")
        return f"portfolio/{name}"


@dataclass(frozen=True)
class _Render:
    """The new render as git objects: its tree without the answers file, the full tree."""

    folder: Path
    tree: str
    full_tree: str


def check_for_update(
    path: Path,
    *,
    given: Mapping[str, str] | None = None,
    base: str | None = None,
    templates: Path | None = None,
) -> UpdateResult:
    """Say whether the installed template renders anything new for this project; change nothing.

    Compares the new render (stored answers plus ``given``) with the pristine render, file by
    file, so it works whatever the tool's version string says. Objects go to a scratch store:
    not even ``.git`` is written. Raises ``PortfolioError`` when the project, its answers or
    its pristine render cannot be read.
    """
    with _prepared(path, given, base, templates, preview=True) as (_project, _git, _render, result):
        return result


def preview_update(
    path: Path,
    *,
    given: Mapping[str, str] | None = None,
    base: str | None = None,
    templates: Path | None = None,
) -> UpdateResult:
    """Show what ``update_project`` would change in the owner's files, changing nothing.

    The diff runs from the branch's last commit to the merge git would make (git 2.38+
    merges in memory; an older git shows the template's own change instead), with the
    conflicts git predicts. Raises like ``check_for_update``.
    """
    with _prepared(path, given, base, templates, preview=True) as (project, git, render, result):
        if result.up_to_date:
            return replace(result, diff="")
        pristine = git.commit_tree(
            render.full_tree, project.base, "preview", fallback=project.author
        )
        theirs, kept = _carry_report(project, git, render, pristine)
        merged = git.merge_tree("HEAD", theirs)
        if merged is None:
            diff = git.diff(project.base, pristine, exclude=(ANSWERS_FILE,))
            return replace(result, kept=kept, conflicts_known=False, diff=diff)
        tree, conflicts = merged
        # merge-tree labels the template's side with the commit id; name it as update will.
        diff = git.diff("HEAD", tree, exclude=(ANSWERS_FILE,)).replace(theirs, project.label)
        conflicts = tuple(name for name in conflicts if name != ANSWERS_FILE)
        return replace(result, kept=kept, conflicts=conflicts, diff=diff)


def update_project(
    path: Path,
    *,
    given: Mapping[str, str] | None = None,
    base: str | None = None,
    templates: Path | None = None,
) -> UpdateResult:
    """Merge the installed template's render into the project's branch, keeping the owner's work.

    Refuses a dirty working tree or a merge in progress. Commits the new pristine render on
    top of the base, then a commit carrying the report's output, then merges that with
    ``git merge --no-commit``, writes ``.portfolio.json`` (new version and answers, the new
    pristine commit) and concludes the merge, unless files conflict: then the merge waits,
    as git leaves it, for the owner to resolve and commit (or ``git merge --abort``).

    Nothing but git objects is written before the merge starts, so a failure up to then
    leaves branches, HEAD, the index and the working tree as they were; a failure after it
    starts aborts the merge. Raises ``PortfolioError`` (``GitError``, ``TemplateError``,
    ``AnswerError``) with what to do.
    """
    with _prepared(path, given, base, templates, preview=False) as (project, git, render, result):
        if result.up_to_date:
            return result
        message = (
            f"Render the {project.info.name} template of portfolio {__version__} "
            "(pristine, the base of the next update)"
        )
        pristine = git.commit_tree(render.full_tree, project.base, message, fallback=project.author)
        theirs, kept = _carry_report(project, git, render, pristine)
    _require_room(project, theirs)
    conflicts, merge_commit = _merge(project, theirs, pristine, render.tree)
    return replace(
        result, kept=kept, conflicts=conflicts, pristine=pristine, merge_commit=merge_commit
    )


@contextlib.contextmanager
def _prepared(
    path: Path,
    given: Mapping[str, str] | None,
    base: str | None,
    templates: Path | None,
    *,
    preview: bool,
) -> Iterator[tuple[_Project, Plumbing, _Render, UpdateResult]]:
    """Open the project, render the new version in a scratch folder, compare; then clean up.

    A preview quarantines git objects in the scratch folder; a real update writes them into
    the repository (the merge needs them), and first refuses a dirty working tree.
    """
    project = _open(path, given or {}, base, templates)
    if not preview:
        _require_clean(project)
    folder = Path(tempfile.mkdtemp(prefix="portfolio-update-"))
    try:
        git = project.git.scratch(folder, quarantine=preview)
        render = _render_new(project, git, folder)
        yield project, git, render, _result(project, git, render)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# --- finding the project, its answers and its base ----------------------------------------


def _open(
    path: Path, given: Mapping[str, str], base: str | None, templates: Path | None
) -> _Project:
    path = path.resolve()
    stored = read_answers_file(path)
    git = Plumbing(path)
    top = git.top_level()
    if top is None:
        raise GitError(
            f"{path} is not a git repository; update merges the new template through git",
            hint="commit the project first: git init -b main && git add -A && git commit -m "
            "'Initial commit' (then see --base)",
        )
    if top.resolve() != path:
        raise GitError(
            f"{path} is inside the repository {top}, not at its top",
            hint="update works on a project that is its own git repository",
        )
    if git.merge_in_progress():
        raise PortfolioError(
            f"a merge is in progress in {path} (an update waiting for its conflicts?)",
            hint="finish it (edit, git add, git commit --no-edit) or cancel it (git merge --abort)",
        )
    branch = git.branch()
    if git.resolve("HEAD") is None:
        raise GitError(f"{path} has no commit yet", hint="commit the project first")
    if branch is None:
        raise GitError(
            f"{path} is not on a branch (detached HEAD)",
            hint="switch to the branch to update: git switch main",
        )
    try:
        info = describe(stored.template, templates)
    except TemplateError as err:
        raise TemplateError(
            f"this project's template {stored.template!r} is not in portfolio {__version__}",
            hint=err.hint,
        ) from err
    answers, changes = _new_answers(info, stored, given)
    return _Project(
        path=path,
        git=git,
        branch=branch,
        stored=stored,
        info=info,
        answers=answers,
        answer_changes=changes,
        base=_find_base(git, stored, base),
    )


def _new_answers(
    info: TemplateInfo, stored: AnswersFile, given: Mapping[str, str]
) -> tuple[dict[str, Any], tuple[AnswerChange, ...]]:
    """Resolve the new template's answers: the stored ones, ``given`` on top, defaults for new.

    ``given`` (``--set``) is validated like ``portfolio new``; a stored answer the template
    no longer accepts is an error that says how to give a new one.
    """
    context = template_context(info)
    keys = visible_keys(context)
    check_known_keys(given, keys)
    kept = {key: value for key, value in stored.answers.items() if key in keys}
    for key, value in kept.items():
        if key in given:
            continue
        raw = context[key]
        choices = tuple(str(v) for v in raw) if isinstance(raw, list) else ()
        try:
            validate_answer(key, value, choices)
        except AnswerError as err:
            raise AnswerError(
                f"the stored answer no longer fits the {info.name} template: {err.message}",
                hint=f"give a new one: portfolio update --set {key}=..."
                + (f" ({err.hint})" if err.hint else ""),
                exit_code=2,
            ) from err
    answers = resolve_answers(context, given={**kept, **given})
    new = {key: str(answers[key]) for key in visible_keys(answers)}
    changes = [
        AnswerChange(key, stored.answers.get(key), new[key])
        for key in new
        if stored.answers.get(key) != new[key]
    ]
    changes += [
        AnswerChange(key, stored.answers[key], None) for key in stored.answers if key not in new
    ]
    return answers, tuple(changes)


def _find_base(git: Plumbing, stored: AnswersFile, rev: str | None) -> str:
    """Return the commit holding the template's last pristine render, checked.

    Without ``rev``: the recorded ``pristine_commit``, else the single root commit. The base
    must be in the branch's history (or git would merge from another base), hold this
    template's answers file, and hold exactly the render that file records (so a squashed
    or amended first commit, which holds the owner's edits too, is refused: merging from it
    would quietly undo those edits). A commit with no record is trusted only when it is a
    first commit ``portfolio new`` made, or when the owner names it with ``--base``.
    """
    if rev is not None:
        sha = git.resolve(rev)
        if sha is None:
            raise PortfolioError(
                f"--base {rev!r} names no commit", hint=FIND_BASE_HINT, exit_code=2
            )
    elif PRISTINE_COMMIT in stored.extra:
        recorded = str(stored.extra[PRISTINE_COMMIT])
        resolved = git.resolve(recorded)
        if resolved is None:
            raise PortfolioError(
                f"{ANSWERS_FILE} names {recorded[:12]} as the template's pristine render, but "
                "this repository has no such commit (history rewritten or cloned shallow?)",
                hint=FIND_BASE_HINT,
            )
        sha = resolved
    else:
        roots = git.roots("HEAD")
        if len(roots) != 1:
            raise PortfolioError(
                f"the branch has {len(roots)} first commits, so the pristine render is ambiguous",
                hint=FIND_BASE_HINT,
            )
        sha = roots[0]
    short = sha[:12]
    if not git.is_ancestor(sha, "HEAD"):
        raise PortfolioError(
            f"commit {short} is not in the history of the current branch (rebased?), so git "
            "cannot merge from it",
            hint=FIND_BASE_HINT,
        )
    text = git.read(sha, ANSWERS_FILE)
    if text is None:
        raise PortfolioError(f"commit {short} holds no {ANSWERS_FILE}", hint=FIND_BASE_HINT)
    recorded_at_base = parse_answers_file(text.decode("utf-8"), source=f"{short}:{ANSWERS_FILE}")
    if recorded_at_base.template != stored.template:
        raise PortfolioError(
            f"commit {short} holds a render of the {recorded_at_base.template} template, "
            f"not {stored.template}",
            hint=FIND_BASE_HINT,
        )
    tree = recorded_at_base.extra.get(PRISTINE_TREE)
    if tree is not None and git.tree_without(sha, ANSWERS_FILE) != tree:
        raise PortfolioError(
            f"commit {short} holds more than the template's render (edits squashed or amended "
            "into it?); merging from it would undo those edits",
            hint=FIND_BASE_HINT,
        )
    first = FIRST_COMMIT_MESSAGE.split("{", 1)[0]
    if tree is None and rev is None and not git.subject(sha).startswith(first):
        raise PortfolioError(
            f"cannot tell whether the first commit {short} ({git.subject(sha)!r}) holds the "
            "untouched render or your edits too",
            hint=f"if it holds only what `portfolio new` wrote: portfolio update --base {short}",
        )
    return sha


# --- rendering and committing the new version ----------------------------------------------


def _render_new(project: _Project, git: Plumbing, folder: Path) -> _Render:
    """Render the template into ``folder`` and stage it: with its pristine answers file."""
    rendered = render_template(project.info, project.answers, folder / "render")
    tree = git.stage_folder(rendered)
    pristine_answers = AnswersFile(
        project.info.name, __version__, project.visible, created_at=project.stored.created_at
    ).with_pristine(tree=tree)
    write_answers_file(rendered, pristine_answers)
    return _Render(folder=rendered, tree=tree, full_tree=git.stage_folder(rendered))


def _result(project: _Project, git: Plumbing, render: _Render) -> UpdateResult:
    """Compare the new render with the pristine one: what the template itself changed."""
    same_files = git.tree_without(project.base, ANSWERS_FILE) == render.tree
    by_status: dict[str, list[str]] = {"A": [], "M": [], "D": []}
    for status, name in git.changes(project.base, render.full_tree):
        if name != ANSWERS_FILE:
            by_status.setdefault(status, []).append(name)
    return UpdateResult(
        project=project.path,
        template=project.info.name,
        branch=project.branch,
        from_version=project.stored.tool_version,
        to_version=__version__,
        base=project.base,
        up_to_date=same_files and not project.answer_changes,
        changes=TemplateChanges(
            tuple(by_status["A"]),
            tuple(by_status["M"] + by_status.get("T", [])),
            tuple(by_status["D"]),
        ),
        answer_changes=project.answer_changes,
        label=project.label,
    )


def _carry_report(
    project: _Project, git: Plumbing, render: _Render, pristine: str
) -> tuple[str, tuple[str, ...]]:
    """Commit the new render with the owner's report output in it; return it and what was kept.

    Marker blocks take the content the branch's documents hold and ``reports/`` becomes the
    branch's, so the merge sees the same change on both sides there: no conflict, and the
    owner's numbers stay until their next ``make all`` writes them anew.
    """
    kept = []
    for file in sorted(render.folder.rglob("*")):
        name = file.relative_to(render.folder).as_posix()
        if not file.is_file() or name.split("/", 1)[0] in REPORT_FOLDERS:
            continue
        try:
            text = file.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        if "portfolio:" not in text:
            continue
        theirs = git.read("HEAD", name)
        if theirs is None:
            continue
        try:
            carried = carry_blocks(text, theirs.decode("utf-8"))
        except UnicodeDecodeError:
            continue
        if carried != text:
            file.write_text(carried, encoding="utf-8")
            kept.append(name)
    tree = git.stage_folder(render.folder)
    for folder in REPORT_FOLDERS:
        if git.has_tree("HEAD", folder):
            kept.append(f"{folder}/")
        tree = git.take_folder(folder, "HEAD")
    if tree == render.full_tree:
        return pristine, tuple(kept)
    message = (
        "Keep the report's output (marker blocks, reports/) as the project's last run wrote it"
    )
    return git.commit_tree(tree, pristine, message, fallback=project.author), tuple(kept)


def carry_blocks(new: str, current: str) -> str:
    """Return ``new`` with each marker block's content taken from ``current`` where it has one.

    Only blocks well formed in both (one start, then one end marker, each on its own line)
    are carried; the markers themselves and everything outside the blocks stay ``new``'s.
    """
    new_lines = new.splitlines(keepends=True)
    current_lines = current.splitlines(keepends=True)
    spans, current_spans = _block_spans(new_lines), _block_spans(current_lines)
    for name, (start, end) in sorted(spans.items(), key=lambda item: -item[1][0]):
        if name in current_spans:
            old_start, old_end = current_spans[name]
            new_lines[start + 1 : end] = current_lines[old_start + 1 : old_end]
    return "".join(new_lines)


def _block_spans(lines: list[str]) -> dict[str, tuple[int, int]]:
    """Map each well-formed block's name to the line numbers of its start and end markers."""
    starts: dict[str, list[int]] = {}
    ends: dict[str, list[int]] = {}
    for number, line in enumerate(lines):
        match = _MARKER.match(line)
        if match:
            (starts if match[2] == "start" else ends).setdefault(match[1], []).append(number)
    spans = {}
    for name, found in starts.items():
        closing = ends.get(name, [])
        if len(found) == 1 and len(closing) == 1 and found[0] < closing[0]:
            spans[name] = (found[0], closing[0])
    inner = sorted(spans.values())
    if any(b[0] < a[1] for a, b in zip(inner, inner[1:], strict=False)):
        return {}  # nested or interleaved blocks: carry nothing rather than guess
    return spans


# --- merging into the owner's branch --------------------------------------------------------


def _require_clean(project: _Project) -> None:
    changes = uncommitted_changes(project.path)
    if changes:
        files = [line[3:] for line in changes]
        listed = ", ".join(files[:3]) + (f" and {len(files) - 3} more" if len(files) > 3 else "")
        raise PortfolioError(
            f"{project.path} has uncommitted changes ({listed}); nothing was updated",
            hint="commit them (git add -A && git commit -m '...') or stash them (git stash -u), "
            "then run portfolio update again",
        )


def _require_room(project: _Project, theirs: str) -> None:
    """Refuse when a file the template adds exists untracked (ignored): git would overwrite it."""
    added = [name for status, name in project.git.changes("HEAD", theirs) if status == "A"]
    blocked = [name for name in added if _occupied(project.path, name)]
    if blocked:
        raise PortfolioError(
            f"the template now adds {', '.join(blocked[:3])}, which your project has as an "
            "ignored file; nothing was updated",
            hint="move it away (or commit it), then run portfolio update again",
        )


def _occupied(root: Path, name: str) -> bool:
    path = root / name
    if path.exists() or path.is_symlink():
        return True
    return any(
        parent.is_file() for parent in path.parents if parent != root and root in parent.parents
    )


def _merge(
    project: _Project, theirs: str, pristine: str, pristine_tree: str
) -> tuple[tuple[str, ...], str | None]:
    """Merge ``theirs`` into the branch; return the conflicts and, if none, the merge commit."""
    git = project.git
    ref = UPDATE_REF_PREFIX + project.label.removeprefix("portfolio/")
    message = f"Update to the {project.info.name} template of portfolio {__version__}"
    git.set_ref(ref, theirs)
    try:
        outcome = git.merge(project.label, message)
    finally:
        git.set_ref(ref, None)  # MERGE_HEAD holds the commit now; no side branch is left
    if not outcome.started:
        raise GitError(
            f"git merge did not start ({outcome.detail}); nothing was changed",
            hint="fix the git problem above and run portfolio update again (a stale "
            ".git/index.lock, left by a git that crashed, can be removed once no other git "
            "runs)",
        )
    try:
        final = replace(
            project.stored,
            tool_version=__version__,
            answers=project.visible,
            extra={**project.stored.extra, "updated_at": _now()},
        ).with_pristine(tree=pristine_tree, commit=pristine)
        write_answers_file(project.path, final)
        git.add(ANSWERS_FILE)
        conflicts = git.conflicts()
        commit = None if conflicts else git.conclude_merge(fallback=project.author)
    except BaseException as err:
        try:
            git.abort_merge()
        except GitError as abort_err:
            raise GitError(
                f"the update stopped after the merge began ({err}), and undoing it failed",
                hint="run `git merge --abort` to return to where you were",
            ) from abort_err
        raise
    return conflicts, commit


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
