"""`portfolio check` on a showcase folder: whether the profile page is ready to be seen.

Its rules: the owner introduced themself, every project it links is published and ready
(``portfolio check`` on it passes), every card shows the numbers of its project's last report,
and the showcase itself is committed and pushed. The report has the projects' own shape, so
``--json`` and the terminal output read the same.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from portfolio.blocks import find_spans
from portfolio.check import (
    ERROR,
    PLACEHOLDER,
    WARNING,
    CheckReport,
    Finding,
    RuleResult,
    check_git,
    check_project,
)
from portfolio.errors import PortfolioError
from portfolio.gitrepo import origin_url, repository_state
from portfolio.projectcard import read_card
from portfolio.showcase import (
    README,
    Showcase,
    card_block,
    headline_markdown,
    read_showcase,
    render_card,
)

_TITLES = {
    "introduction": "Introduction written",
    "projects": "Every project published and ready",
    "numbers": "Cards show each project's last report",
    "git": "Committed and pushed",
}
_WEIGHTS = {"introduction": 2, "projects": 3, "numbers": 3, "git": 1}


class ShowcaseReport(CheckReport):
    """A ``CheckReport`` whose rules are the showcase's own, scored by their own weights."""

    @property
    def score(self) -> int:
        """Readiness from 0 to 100: the weighted share of rules passed, less a point a warning."""
        total = sum(_WEIGHTS[r.rule] for r in self.results)
        passed = sum(
            _WEIGHTS[r.rule]
            for r in self.results
            if not any(f.severity == ERROR for f in r.findings)
        )
        return max(0, round(100 * passed / total) - len(self.warnings))

    def next_steps(self, count: int = 3) -> list[str]:
        """Return the most valuable fixes first: errors before warnings, heavier rules first."""
        order = list(_TITLES)
        ranked = sorted(
            self.findings,
            key=lambda f: (f.severity != ERROR, -_WEIGHTS[f.rule], order.index(f.rule)),
        )
        steps: list[str] = []
        for finding in ranked:
            if finding.fix not in steps:
                steps.append(finding.fix)
        return steps[:count]


def check_showcase(folder: Path, *, strict: bool = False) -> ShowcaseReport:
    """Check the showcase in ``folder``; raise ``PortfolioError`` if it is not one."""
    showcase = read_showcase(folder)
    if showcase is None:
        raise PortfolioError(f"{folder} is not a showcase (no .portfolio.json)")
    rules: list[tuple[str, Callable[[], Iterable[Finding]]]] = [
        ("introduction", lambda: check_introduction(showcase)),
        ("projects", lambda: check_projects(showcase, strict=strict)),
        ("numbers", lambda: check_numbers(showcase)),
        ("git", lambda: check_git(repository_state(folder))),
    ]
    results = tuple(RuleResult(rule, _TITLES[rule], tuple(run())) for rule, run in rules)
    return ShowcaseReport(
        project=folder, template=showcase.answers.template, results=results, strict=strict
    )


def _readme(showcase: Showcase) -> str | None:
    try:
        return (showcase.folder / README).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def check_introduction(showcase: Showcase) -> list[Finding]:
    """Every ``TODO(portfolio)`` left in the profile README: the part only the owner can write."""
    text = _readme(showcase) or ""
    return [
        Finding(
            "introduction",
            ERROR,
            line.split(PLACEHOLDER, 1)[1].lstrip(":").strip() or "write this part",
            "introduce yourself where TODO(portfolio) points in README.md: a hiring manager "
            "reads it before any card",
            README,
            number,
            weight=2,
        )
        for number, line in enumerate(text.splitlines(), start=1)
        if PLACEHOLDER in line
    ]


def check_projects(showcase: Showcase, *, strict: bool) -> list[Finding]:
    """Every project the showcase links exists, is pushed to its remote, and is ready."""
    findings = []

    def error(message: str, fix: str) -> None:
        findings.append(Finding("projects", ERROR, message, fix, weight=3))

    for entry in showcase.projects:
        path = entry.folder(showcase.folder)
        if not path.is_dir():
            error(
                f"{entry.slug}: {path} is gone",
                "restore the project, or run `portfolio showcase PATH...` with the projects "
                "to show",
            )
            continue
        state = repository_state(path)
        if state is None or origin_url(path) is None:
            error(f"{entry.slug} is not published", f"portfolio publish {path}")
        elif state.unpushed is None:
            error(f"{entry.slug}: {state.branch} has no upstream", f"portfolio publish {path}")
        elif state.unpushed:
            error(f"{entry.slug}: {state.unpushed} commit(s) not pushed", f"git -C {path} push")
        try:
            report = check_project(path, strict=strict)
        except PortfolioError as err:
            error(f"{entry.slug}: {err.message}", f"portfolio check {path}")
            continue
        if not report.ready:
            first = (report.errors or report.warnings)[0]
            where = f"{first.location()}: " if first.location() else ""
            more = len(report.errors) + (len(report.warnings) if strict else 0) - 1
            error(
                f"{entry.slug} is not ready to show (readiness {report.score}/100): "
                f"{where}{first.message}" + (f" (and {more} more)" if more > 0 else ""),
                f"portfolio check {path}, and fix what it lists",
            )
    return findings


def check_numbers(showcase: Showcase) -> list[Finding]:
    """Each card shows what its project's last report says: a card is never typed by hand."""
    text = _readme(showcase)
    if text is None:
        return [Finding("numbers", ERROR, "README.md is missing", _refresh(showcase), README)]
    try:
        blocks = find_spans(text.splitlines(keepends=True), source=README)
    except PortfolioError as err:
        return [Finding("numbers", ERROR, err.message, err.hint, README)]
    lines = text.splitlines()
    findings = []
    for entry in showcase.projects:
        try:
            card = read_card(entry.folder(showcase.folder), links=entry.links)
        except PortfolioError as err:
            findings.append(Finding("numbers", ERROR, err.message, _refresh(showcase), README))
            continue
        span = blocks.get(card_block(card))
        if span is None:
            message = f"README.md has no card for {card.slug}"
            findings.append(Finding("numbers", ERROR, message, _refresh(showcase), README))
            continue
        shown = "\n".join(lines[span.start + 1 : span.end]).strip("\n")
        if shown == render_card(card):
            continue
        current = headline_markdown(card.headline)
        if current not in shown:
            number = current.split("\n", 1)[0]
            message = f"the card for {card.slug} does not show its last report ({number})"
            findings.append(
                Finding("numbers", ERROR, message, _refresh(showcase), README, span.start + 1, 3)
            )
        else:
            findings.append(
                Finding(
                    "numbers",
                    WARNING,
                    f"the card for {card.slug} is out of date (title, problem, stack or links)",
                    _refresh(showcase),
                    README,
                    span.start + 1,
                )
            )
    return findings


def _refresh(showcase: Showcase) -> str:
    return f"run `portfolio showcase -o {showcase.folder}` to refresh the cards"
