"""Marker blocks in Markdown the tool writes: replace, add and remove them, nothing else.

The syntax is the generated projects' own, each marker alone on its line:

    <!-- portfolio:NAME:start -->
    ...written by code, replaced on every run...
    <!-- portfolio:NAME:end -->

Text outside the blocks belongs to the owner: it keeps its bytes, its order and its line
endings. A block that is duplicated, unclosed or nested is refused rather than guessed at, so
a rerun never eats the owner's text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from portfolio.errors import PortfolioError

_MARKER = re.compile(
    r"^[ \t]*<!--[ \t]*portfolio:([A-Za-z0-9][A-Za-z0-9_.-]*):(start|end)[ \t]*-->[ \t]*\r?\n?\Z"
)


@dataclass(frozen=True)
class Span:
    """Where one block sits: the line numbers of its start and end markers."""

    start: int
    end: int


def marker(name: str, kind: str) -> str:
    """Return the marker line (without newline) that opens or closes block ``name``."""
    return f"<!-- portfolio:{name}:{kind} -->"


def find_spans(lines: Sequence[str], *, source: str) -> dict[str, Span]:
    """Map each block's name to its span; ``source`` names the file in errors.

    Raises ``PortfolioError`` for a block that is duplicated, unclosed, closed before it
    opens, or nested in another.
    """
    spans: dict[str, Span] = {}
    open_name: str | None = None
    open_line = 0
    seen: set[str] = set()
    for number, line in enumerate(lines):
        match = _MARKER.match(line)
        if match is None:
            continue
        name, kind = match[1], match[2]
        if kind == "start":
            if open_name is not None:
                _malformed(source, open_name, f"{marker(name, kind)} opens inside it")
            if name in seen:
                _malformed(source, name, "it appears more than once")
            open_name, open_line = name, number
            seen.add(name)
        elif open_name != name:
            _malformed(source, name, f"{marker(name, kind)} has no start marker before it")
        else:
            spans[name] = Span(open_line, number)
            open_name = None
    if open_name is not None:
        _malformed(source, open_name, f"{marker(open_name, 'end')} is missing")
    return spans


def _malformed(source: str, name: str, why: str) -> None:
    raise PortfolioError(
        f"{source}: the block {name!r} is malformed ({why}); nothing was written",
        hint="fix its marker lines by hand (or delete the whole block) and run the same "
        "command again; the text outside the blocks is never changed",
    )


def rewrite(
    text: str,
    contents: Mapping[str, str],
    *,
    order: Sequence[str],
    remove: Sequence[str] = (),
    source: str,
    heading: str = "",
) -> str:
    """Return ``text`` with the blocks in ``order`` holding ``contents``, and ``remove`` gone.

    A block already present keeps its place; a new one goes after the block before it in
    ``order`` (before the first present one when it leads), or, when none of ``order`` is
    present, at the end of the text after ``heading`` (if given). Removing a block takes its
    markers, its content and one blank line after it.
    """
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += newline
    for name in remove:
        span = find_spans(lines, source=source).get(name)
        if span is not None:
            after = span.end + 1
            blank = after < len(lines) and not lines[after].strip()
            del lines[span.start : after + (1 if blank else 0)]
    present = find_spans(lines, source=source)
    if not any(name in present for name in order):
        if lines and lines[-1].strip():
            lines.append(newline)
        if heading:
            lines += [heading + newline, newline]
    for index, name in enumerate(order):
        body = [line + newline for line in contents[name].strip("\n").split("\n")]
        spans = find_spans(lines, source=source)
        if name in spans:
            span = spans[name]
            lines[span.start + 1 : span.end] = body
            continue
        block = [marker(name, "start") + newline, *body, marker(name, "end") + newline]
        before = [spans[other] for other in order[:index] if other in spans]
        later = [spans[other] for other in order[index + 1 :] if other in spans]
        if before:
            at = before[-1].end + 1
            lines[at:at] = [newline, *block]
        elif later:
            at = later[0].start
            lines[at:at] = [*block, newline]
        else:
            lines += block
    return "".join(lines)
