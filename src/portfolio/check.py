"""`portfolio check`: tell whether a generated project is ready to show a recruiter.

Each rule is a plain function from the project to findings. A rule that trips over a folder the
user reshaped by hand reports that as a finding instead of raising, so a heavily edited project
still gets a useful report. The JSON form (``CheckReport.to_dict``) is a stable schema for CI.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from portfolio.answers import read_answers_file
from portfolio.gitrepo import RepositoryState, repository_state

#: Bump when a field of the JSON output changes meaning or disappears (adding fields is fine).
SCHEMA_VERSION = 1

ERROR = "error"
WARNING = "warning"

PLACEHOLDER = "TODO(portfolio)"
METRICS_FILE = Path("reports") / "metrics.json"
PROVENANCE_FILE = Path("reports") / "provenance.json"
DOCUMENTS = ("README.md", "MODEL_CARD.md")
SAMPLE_DATA = "data/sample/"
LARGE_FILE_BYTES = 1024 * 1024
#: Text files larger than this are not searched for placeholders (data, not prose).
TEXT_LIMIT = 4 * LARGE_FILE_BYTES
ARTEFACT_SUFFIXES = (".skops", ".pkl", ".pickle", ".joblib", ".pt", ".pth", ".h5", ".onnx", ".npz")
SKIPPED_DIRS = {
    ".git",
    ".venv",
    "venv",
    "env",
    "node_modules",
    "__pycache__",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    ".hypothesis",
}

#: README sections a reviewer looks for, each with the heading words that count as it. The
#: first section whose words appear in a heading claims it.
SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("business impact", ("business", "impact", "cost")),
    ("limitations", ("limitation", "caveat", "risk")),
    ("decisions", ("decision", "trade-off", "tradeoff")),
    (
        "how to run",
        (
            "how to run",
            "usage",
            "getting started",
            "quick start",
            "quickstart",
            "reproduc",
            "run it",
            "running",
        ),
    ),
    ("results", ("result", "evaluation", "performance")),
    ("data", ("data",)),
    ("approach", ("approach", "method", "model", "pipeline", "how it works", "design")),
    ("problem", ("problem", "motivation", "context", "background", "why", "goal")),
)

READING_ORDER = (
    "problem",
    "data",
    "approach",
    "results",
    "business impact",
    "decisions",
    "limitations",
    "how to run",
)

_MARKER = re.compile(
    r"^[ \t]*<!--[ \t]*portfolio:([A-Za-z0-9][A-Za-z0-9_.-]*):(start|end)[ \t]*-->"
)
_WRITE_README = "write README.md as a regular Markdown file"
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_IMAGE = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")


@dataclass(frozen=True)
class Finding:
    """One thing to fix: which rule, how bad, what is wrong, where, and what to do."""

    rule: str
    severity: str
    message: str
    fix: str
    file: str | None = None
    line: int | None = None
    weight: int = 1
    commit: str | None = None

    def location(self) -> str:
        """Return ``file:line`` (or just the file, or nothing) for display."""
        if self.file and self.line:
            return f"{self.file}:{self.line}"
        return self.file or ""


@dataclass(frozen=True)
class RuleResult:
    """What one rule concluded: passed when it produced no finding."""

    rule: str
    title: str
    findings: tuple[Finding, ...]

    @property
    def passed(self) -> bool:
        """True when the rule found nothing to fix."""
        return not self.findings


@dataclass(frozen=True)
class CheckReport:
    """The whole verdict on a project."""

    project: Path
    template: str
    results: tuple[RuleResult, ...]
    strict: bool = False
    findings: tuple[Finding, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "findings", tuple(f for r in self.results for f in r.findings))

    @property
    def errors(self) -> list[Finding]:
        """Findings that make the project not ready."""
        return [f for f in self.findings if f.severity == ERROR]

    @property
    def warnings(self) -> list[Finding]:
        """Findings worth fixing that do not, alone, make the project not ready."""
        return [f for f in self.findings if f.severity == WARNING]

    @property
    def ready(self) -> bool:
        """No errors (and, in strict mode, no warnings either)."""
        return not self.errors and not (self.strict and self.warnings)

    @property
    def score(self) -> int:
        """Readiness from 0 to 100: half narrative, half evidence, less a point a warning.

        Each half is the weighted share of its rules without an error. The narrative half
        counts nothing while the README's own story is unwritten (placeholders left in it, or
        no README at all): numbers without the story cannot make a project more than half
        ready.
        """
        story = 0.0 if self.story_unwritten else self._share(lambda r: r in _NARRATIVE)
        evidence = self._share(lambda r: r not in _NARRATIVE)
        return max(0, round(50 * story + 50 * evidence) - len(self.warnings))

    @property
    def story_unwritten(self) -> bool:
        """True while README.md holds placeholders or cannot be read at all."""
        return any(
            (f.rule == "placeholders" and f.file == "README.md") or f.fix == _WRITE_README
            for f in self.findings
        )

    def _share(self, counts: Callable[[str], bool]) -> float:
        results = [r for r in self.results if counts(r.rule)]
        total = sum(_RULE_WEIGHTS[r.rule] for r in results)
        passed = sum(
            _RULE_WEIGHTS[r.rule]
            for r in results
            if not any(f.severity == ERROR for f in r.findings)
        )
        return passed / total if total else 1.0

    def next_steps(self, count: int = 3) -> list[str]:
        """Return the most valuable fixes first: errors before warnings, heavier rules first."""
        ranked = sorted(
            self.findings,
            key=lambda f: (f.severity != ERROR, -f.weight, _RULE_ORDER.index(f.rule)),
        )
        steps: list[str] = []
        for finding in ranked:
            if finding.fix not in steps:
                steps.append(finding.fix)
            if len(steps) == count:
                break
        return steps

    def to_dict(self) -> dict[str, Any]:
        """Return the documented JSON schema (see the README, "portfolio check --json")."""
        return {
            "schema": SCHEMA_VERSION,
            "project": str(self.project),
            "template": self.template,
            "ready": self.ready,
            "strict": self.strict,
            "score": self.score,
            "counts": {"errors": len(self.errors), "warnings": len(self.warnings)},
            "rules": [{"rule": r.rule, "title": r.title, "passed": r.passed} for r in self.results],
            "findings": [
                {
                    "rule": f.rule,
                    "severity": f.severity,
                    "message": f.message,
                    "fix": f.fix,
                    "file": f.file,
                    "line": f.line,
                    "commit": f.commit,
                }
                for f in self.findings
            ],
            "next_steps": self.next_steps(),
        }


# --- helpers -----------------------------------------------------------------------------


def _project_files(project: Path, state: RepositoryState | None) -> list[str]:
    """Names of the files the project is made of: git's view when it is a repository.

    Without git, a walk that follows no symbolic link and skips environments, caches and
    the ignored data and model folders.
    """
    if state is not None:
        return list(state.files)
    found = []
    for folder, dirs, files in os.walk(project):
        relative = Path(folder).relative_to(project)
        dirs[:] = sorted(
            d
            for d in dirs
            if d not in SKIPPED_DIRS and (relative / d).as_posix() not in {"data/raw", "models"}
        )
        found += [(relative / name).as_posix() for name in files]
    return sorted(found)


def _read_regular(path: Path, project: Path, limit: int) -> tuple[str | None, str]:
    """Return a file's text, or None and why not (missing, not a regular file, too large).

    Never blocks or reads forever: a FIFO, a device or a link out of the project (to
    ``/dev/zero``, say) is refused before a byte is read.
    """
    try:
        resolved = path.resolve()
        if not resolved.is_relative_to(project.resolve()):
            return None, "is a link to outside the project"
        fd = os.open(resolved, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        return None, "does not exist"
    except (OSError, RuntimeError) as err:  # RuntimeError: a symbolic link loop
        return None, f"cannot be read ({getattr(err, 'strerror', None) or err})"
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        return None, "is not a regular file"
    with os.fdopen(fd, "rb") as handle:
        if info.st_size > limit:
            return None, f"is larger than {limit // LARGE_FILE_BYTES} MB"
        data = handle.read(limit + 1)
    return data.decode("utf-8", errors="replace"), ""


def _read_text(path: Path, project: Path) -> str | None:
    """Return a text file's content; None for binary, huge, irregular or unreadable files."""
    text, _why = _read_regular(path, project, TEXT_LIMIT)
    return None if text is None or "\0" in text else text


def block_contents(text: str) -> dict[str, str]:
    """Return each marker block's content (the lines between its markers, trimmed)."""
    blocks: dict[str, str] = {}
    open_name: str | None = None
    lines: list[str] = []
    for line in text.splitlines():
        match = _MARKER.match(line)
        if match and match[2] == "start":
            open_name, lines = match[1], []
        elif match and match[2] == "end" and open_name is not None and match[1] == open_name:
            blocks[open_name] = "\n".join(lines).strip("\n")
            open_name = None
        elif open_name is not None:
            lines.append(line)
    return blocks


def block_digest(content: str) -> str:
    """Fingerprint a block's content the way the projects' provenance records it."""
    return hashlib.sha256(content.strip("\n").encode("utf-8")).hexdigest()


def _file_digest(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


# --- rules -------------------------------------------------------------------------------


def check_placeholders(project: Path, files: list[str]) -> list[Finding]:
    """Every ``TODO(portfolio)`` left for the owner, with what to write there.

    Files under ``tests/`` are code that may mention the marker (to test a report step, say),
    never a story to write, so they are not searched.
    """
    findings = []
    for name in files:
        if name.startswith("tests/"):
            continue
        text = _read_text(project / name, project)
        if text is None or PLACEHOLDER not in text:
            continue
        for number, line in enumerate(text.splitlines(), start=1):
            if PLACEHOLDER in line:
                what = line.split(PLACEHOLDER, 1)[1].lstrip(":").strip(" -*>#\"'`")
                findings.append(
                    Finding(
                        "placeholders",
                        ERROR,
                        what or "write this part",
                        "fill the TODO(portfolio) "
                        "placeholders: the story is what a hiring manager reads",
                        name,
                        number,
                        weight=3,
                    )
                )
    return findings


def _sections(readme: str) -> dict[str, str]:
    """Map each expected section to the body under the first heading that claims it.

    Headings are what a Markdown renderer (markdown-it, CommonMark) sees: a ``# Data`` line
    inside a fenced code block or an HTML comment is not one, a setext heading is.
    """
    from markdown_it import MarkdownIt

    lines = readme.splitlines()
    tokens = MarkdownIt("commonmark").parse(readme)
    headings = [
        (token.map[0], token.map[1], int(token.tag[1:]), tokens[index + 1].content.lower())
        for index, token in enumerate(tokens)
        if token.type == "heading_open" and token.map is not None
    ]
    found: dict[str, str] = {}
    for index, (_first, after, level, title) in enumerate(headings):
        section = next((name for name, words in SECTIONS if any(w in title for w in words)), None)
        if section is None or section in found:
            continue
        end = next((first for first, _a, lvl, _t in headings[index + 1 :] if lvl <= level), None)
        found[section] = _COMMENT.sub("", "\n".join(lines[after:end]))
    return found


def _substantive(body: str) -> bool:
    kept = [
        line
        for line in body.splitlines()
        if line.strip() and PLACEHOLDER not in line and not line.strip().startswith("_Run `make")
    ]
    structured = any(line.startswith(("|", "    ", "\t", "```", "![")) for line in kept)
    return structured or sum(len(line.strip()) for line in kept) >= 40


def check_readme_sections(project: Path) -> list[Finding]:
    """Check that the sections a reviewer expects are present and say something."""
    readme, why = _read_regular(project / "README.md", project, TEXT_LIMIT)
    if readme is None:
        return [
            Finding(
                "readme",
                ERROR,
                f"README.md {why}",
                _WRITE_README,
                "README.md",
                weight=3,
            )
        ]
    sections = _sections(readme)
    findings = []
    for name in READING_ORDER:
        if name not in sections:
            findings.append(
                Finding(
                    "readme",
                    ERROR,
                    f"no {name!r} section",
                    f"add a '## {name.capitalize()}' section to README.md",
                    "README.md",
                    weight=2,
                )
            )
        elif not _substantive(sections[name]):
            findings.append(
                Finding(
                    "readme",
                    ERROR,
                    f"the {name!r} section is empty or placeholder only",
                    f"write the {name} section of README.md",
                    "README.md",
                    weight=2,
                )
            )
    return findings


def check_results(project: Path) -> list[Finding]:
    """Results exist, the documents show exactly them, figures exist, and nothing is stale."""
    fix = "run `make all` to compute the results and rewrite the README and model card"

    def error(message: str, file: str | None = None) -> Finding:
        return Finding("results", ERROR, message, fix, file, weight=3)

    metrics, why = _read_regular(project / METRICS_FILE, project, TEXT_LIMIT)
    if metrics is None:
        return [error(f"results missing: reports/metrics.json {why}", METRICS_FILE.as_posix())]
    try:
        json.loads(metrics)
    except ValueError as err:
        return [error(f"reports/metrics.json is not valid JSON ({err})", METRICS_FILE.as_posix())]
    try:
        provenance_text, _why = _read_regular(project / PROVENANCE_FILE, project, TEXT_LIMIT)
        provenance = json.loads(provenance_text or "")
        recorded_inputs = dict(provenance["inputs"])
        recorded_outputs = dict(provenance.get("outputs", {}))
        recorded_blocks = {k: dict(v) for k, v in dict(provenance.get("blocks", {})).items()}
    except (ValueError, KeyError, TypeError):
        return [
            error(
                "reports/provenance.json is missing or unreadable: the results cannot be "
                "traced to the code and config that produced them",
                PROVENANCE_FILE.as_posix(),
            )
        ]

    findings = []
    for name, digest in recorded_outputs.items():
        path = project / name
        if not path.is_file():
            findings.append(error(f"{name} was produced by the last report but is gone", name))
        elif _file_digest(path) != digest:
            findings.append(error(f"{name} changed since the last report", name))
    for document in DOCUMENTS:
        text = _read_text(project / document, project)
        if text is None:
            continue
        blocks = block_contents(text)
        recorded = recorded_blocks.get(document, {})
        for name, content in blocks.items():
            if name not in recorded:
                if not content.strip() or "make all" in content:
                    findings.append(
                        error(f"the {name!r} block in {document} is not filled", document)
                    )
            elif block_digest(content) != recorded[name]:
                findings.append(
                    error(
                        f"the {name!r} block in {document} does not match reports/metrics.json "
                        "(edited by hand, or from an older run)",
                        document,
                    )
                )
        for image in _IMAGE.findall(text):
            if "://" in image:
                continue
            if not (project / document).parent.joinpath(image).is_file():
                findings.append(error(f"{document} shows {image}, which does not exist", document))
    stale = []
    for name, digest in recorded_inputs.items():
        path = Path(name) if Path(name).is_absolute() else project / name
        if not path.is_file() or _file_digest(path) != digest:
            stale.append(name)
    if stale:
        shown = ", ".join(stale[:3]) + (f" and {len(stale) - 3} more" if len(stale) > 3 else "")
        findings.append(
            Finding(
                "freshness",
                ERROR,
                f"results are older than {shown}",
                "run `make all` so the numbers come from the current config and code",
                weight=3,
            )
        )
    return findings


def check_hygiene(project: Path, files: list[str], state: RepositoryState | None) -> list[Finding]:
    """Licence, CI and tests present; no large data or model files tracked by git."""
    findings = []
    names = set(files)
    if not any(n.split("/")[-1].upper().startswith(("LICENSE", "LICENCE")) for n in names):
        findings.append(
            Finding("hygiene", ERROR, "no LICENSE", "add a LICENSE file (MIT is a safe default)")
        )
    if not any(n.startswith(".github/workflows/") and n.endswith((".yml", ".yaml")) for n in names):
        findings.append(
            Finding(
                "hygiene",
                ERROR,
                "no CI workflow in .github/workflows/",
                "add a CI workflow that runs lint and tests",
            )
        )
    if not any(n.startswith("tests/") and n.split("/")[-1].startswith("test_") for n in names):
        findings.append(Finding("hygiene", ERROR, "no tests in tests/", "add tests under tests/"))
    for name in sorted(state.tracked if state else ()):
        path = project / name
        size = path.stat().st_size if path.is_file() else 0
        if size > LARGE_FILE_BYTES or name.endswith(ARTEFACT_SUFFIXES):
            findings.append(
                Finding(
                    "hygiene",
                    ERROR,
                    f"{name} ({size / 1e6:.1f} MB) is tracked by git; data "
                    "and models belong in ignored folders",
                    f"git rm --cached {name} and ignore it (data/raw/ and models/ are ignored)",
                    name,
                    weight=2,
                )
            )
    return findings


def check_secrets(project: Path, files: list[str], *, history: bool) -> list[Finding]:
    """Nothing that looks like a credential in the project's files or in unpushed history.

    Every file git would see (tracked, and untracked but not ignored) is scanned at any size,
    and with ``history`` every file version the next push would send, even one deleted
    since (see ``secret_scan``). A file that is not a regular one is a warning: it is not read.
    """
    from portfolio.secret_scan import scan_project

    scan = scan_project(project, files, history=history)
    findings = [
        Finding(
            "secrets",
            ERROR,
            f"looks like {hit.what}"
            + (
                f" (in commit {hit.commit[:12]}, history the next push would send)"
                if hit.commit
                else ""
            ),
            "remove the secret and rotate it; if a commit holds it, rewrite that history "
            "(git rebase -i, or git filter-repo) before you publish",
            hit.path,
            hit.line,
            weight=3,
            commit=hit.commit,
        )
        for hit in scan.hits
    ]
    findings += [
        Finding(
            "secrets",
            WARNING,
            f"{skipped.path} {skipped.reason}: not scanned",
            f"replace {skipped.path} with a regular file, or remove it",
            skipped.path,
        )
        for skipped in scan.skipped
    ]
    return findings


def check_data(project: Path) -> list[Finding]:
    """Warn while the reported numbers still come from the bundled sample data.

    The report step records its inputs in ``reports/provenance.json``; a data file under
    ``data/sample/`` among them means the results describe the template's sample, not yours.
    """
    text, _why = _read_regular(project / PROVENANCE_FILE, project, TEXT_LIMIT)
    try:
        inputs = dict(json.loads(text or "{}").get("inputs", {}))
    except (ValueError, TypeError, AttributeError):
        return []  # the results rule reports an unreadable provenance file
    sample = sorted(name for name in inputs if str(name).startswith(SAMPLE_DATA))
    if not sample:
        return []
    return [
        Finding(
            "data",
            WARNING,
            f"results still come from the bundled sample ({sample[0]})",
            "point the config at your own data (or the real dataset: `make data`), then run "
            "`make all`: a reviewer wants results on real data",
            sample[0],
            weight=2,
        )
    ]


def check_git(state: RepositoryState | None) -> list[Finding]:
    """Check that the work is committed, and pushed when a remote is set."""
    if state is None:
        return [
            Finding(
                "git",
                WARNING,
                "not a git repository",
                "git init -b main && git add -A && git commit -m 'Initial commit'",
            )
        ]
    findings = []
    if state.dirty:
        findings.append(
            Finding(
                "git",
                WARNING,
                f"{len(state.dirty)} uncommitted change(s), e.g. {state.dirty[0]}",
                "commit your changes",
            )
        )
    if state.remote and state.unpushed is None:
        findings.append(
            Finding(
                "git",
                WARNING,
                f"branch {state.branch} has no upstream on {state.remote}",
                f"git push -u {state.remote} {state.branch}",
            )
        )
    elif state.unpushed:
        findings.append(
            Finding(
                "git",
                WARNING,
                f"{state.unpushed} commit(s) not pushed to {state.remote}",
                "git push",
            )
        )
    return findings


def check_template(project: Path, state: RepositoryState | None) -> list[Finding]:
    """Warn when the installed portfolio renders this project's template differently.

    The same comparison as ``portfolio update --check`` (measured 0.34 s, mostly the render).
    Silent outside git, where the git rule already warns, and when the project cannot be
    compared (a history without its pristine render, a template this version lacks):
    readiness does not depend on it, and ``portfolio update --check`` says why.
    """
    if state is None:
        return []
    from portfolio.errors import PortfolioError
    from portfolio.update import check_for_update

    try:
        result = check_for_update(project)
    except PortfolioError:
        return []
    if result.up_to_date:
        return []
    return [
        Finding(
            "template",
            WARNING,
            f"the installed portfolio has a newer {result.template} template "
            f"({len(result.changes)} file(s) differ from this project's pristine render)",
            "take the newer template: portfolio update --diff shows what changes, "
            "portfolio update merges it",
        )
    ]


_RULE_ORDER = [
    "placeholders", "readme", "results", "freshness", "data", "hygiene", "secrets", "git",
    "template",
]  # fmt: skip
_RULE_WEIGHTS = {
    "placeholders": 3,
    "readme": 2,
    "results": 3,
    "freshness": 2,
    "data": 1,
    "hygiene": 2,
    "secrets": 3,
    "git": 1,
    "template": 1,
}
#: The rules that make the narrative half of the score; the others make the evidence half.
_NARRATIVE = frozenset({"placeholders", "readme"})
_TITLES = {
    "placeholders": "Narrative placeholders filled",
    "readme": "README sections a reviewer expects",
    "results": "Results exist and match the documents",
    "freshness": "Results are fresh",
    "data": "Results come from your data, not the bundled sample",
    "hygiene": "Licence, CI, tests, no large files tracked",
    "secrets": "No secrets committed",
    "git": "Committed and pushed",
    "template": "Made from the installed template",
}


def check_project(project: Path, *, strict: bool = False) -> CheckReport:
    """Run every rule on ``project``; raise ``PortfolioError`` if it is not a generated project.

    A showcase folder (``portfolio showcase``) gets the showcase's own rules.
    """
    from portfolio.projectcard import SHOWCASE_TEMPLATE
    from portfolio.showcase_check import check_showcase

    answers = read_answers_file(project)
    if answers.template == SHOWCASE_TEMPLATE:
        return check_showcase(project, strict=strict)
    state = repository_state(project)
    files = _project_files(project, state)
    results_findings = _guard("results", lambda: check_results(project))
    rules: list[tuple[str, Callable[[], Iterable[Finding]]]] = [
        ("placeholders", lambda: check_placeholders(project, files)),
        ("readme", lambda: check_readme_sections(project)),
        ("results", lambda: [f for f in results_findings if f.rule == "results"]),
        ("freshness", lambda: [f for f in results_findings if f.rule == "freshness"]),
        ("data", lambda: check_data(project)),
        ("hygiene", lambda: check_hygiene(project, files, state)),
        ("secrets", lambda: check_secrets(project, files, history=state is not None)),
        ("git", lambda: check_git(state)),
        ("template", lambda: check_template(project, state)),
    ]
    results = tuple(
        RuleResult(rule, _TITLES[rule], tuple(_guard(rule, run))) for rule, run in rules
    )
    return CheckReport(project=project, template=answers.template, results=results, strict=strict)


def _guard(rule: str, run: Callable[[], Iterable[Finding]]) -> list[Finding]:
    """Turn a rule's crash on an unexpected layout into a finding instead of a traceback."""
    try:
        return list(run())
    except (OSError, ValueError, KeyError, TypeError, UnicodeError) as err:
        return [
            Finding(
                rule,
                WARNING,
                f"could not check ({type(err).__name__}: {err})",
                "restore the layout the template generated, or ignore this rule",
            )
        ]


def format_report(report: CheckReport) -> str:
    """Render the report for a terminal: each rule, its findings by file, then a summary."""
    lines = [f"{report.project.name} ({report.template} template)", ""]
    for result in report.results:
        mark = (
            "ok  "
            if result.passed
            else ("FAIL" if any(f.severity == ERROR for f in result.findings) else "warn")
        )
        lines.append(f"[{mark}] {result.title}")
        by_file: dict[str, list[Finding]] = {}
        for finding in result.findings:
            by_file.setdefault(finding.file or "", []).append(finding)
        for file, findings in by_file.items():
            indent = "       "
            if file and any(f.line for f in findings):
                lines.append(f"{indent}{file}")
                indent += "  "
            for finding in findings:
                where = (
                    f"{finding.line}: "
                    if finding.line
                    else (f"{file}: " if file and not any(f.line for f in findings) else "")
                )
                lines.append(f"{indent}{where}{finding.message}")
    verdict = "ready to show" if report.ready else "not ready"
    lines += [
        "",
        f"Readiness {report.score}/100: {verdict} "
        f"({len(report.errors)} error(s), {len(report.warnings)} warning(s))",
    ]
    steps = report.next_steps()
    if steps:
        lines.append("Next:")
        lines += [f"  {number}. {step}" for number, step in enumerate(steps, start=1)]
    return "\n".join(lines)
