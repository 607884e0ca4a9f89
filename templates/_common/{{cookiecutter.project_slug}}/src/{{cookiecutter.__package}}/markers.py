"""Rewrite named marker blocks in Markdown, so reports update numbers and leave prose alone.

A block is a pair of HTML comments, each alone on its line, which GitHub does not render:

    <!-- portfolio:results:start -->
    ...written by code, replaced on every run...
    <!-- portfolio:results:end -->

Everything outside the blocks belongs to the author and is never touched. A marker must sit
on its own line, so prose or inline code that merely mentions the syntax is not a marker.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

__all__ = ["MarkerError", "find_blocks", "replace_block", "rewrite_blocks"]

_NAME = r"[A-Za-z0-9][A-Za-z0-9_.-]*"
_NAME_RE = re.compile(rf"{_NAME}\Z")
# A marker line: optional indentation, the comment, optional trailing blanks, then the end
# of the line (a CRLF file keeps its "\r" outside the match).
_MARKER_RE = re.compile(
    rf"^[ \t]*<!--[ \t]*portfolio:(?P<name>{_NAME}):(?P<kind>start|end)[ \t]*-->[ \t]*(?=\r?$)",
    re.MULTILINE,
)


class MarkerError(ValueError):
    """A marker block is missing, duplicated or malformed, so the file cannot be updated safely."""


def find_blocks(text: str) -> list[str]:
    """Return the names of the blocks that have a start marker, in order, each name once.

    This only lists; it does not check that each block is well formed (``replace_block``
    does, when the block is written).
    """
    names: list[str] = []
    for match in _MARKER_RE.finditer(text):
        name = match["name"]
        if match["kind"] == "start" and name not in names:
            names.append(name)
    return names


def replace_block(text: str, name: str, content: str) -> str:
    """Return ``text`` with the lines between the markers of block ``name`` set to ``content``.

    The markers stay; ``content`` goes on its own lines between them (surrounding blank
    lines stripped, an empty content leaves the block empty). It is inserted literally:
    backslashes and ``$`` mean nothing special, unlike in a ``re.sub`` replacement. Applying
    the same content twice gives the same text, so reruns produce no diff.

    Raises ``MarkerError`` if ``name`` is not a valid block name, the block is missing,
    duplicated, or its end marker comes before its start marker, or ``content`` itself
    contains a marker line.
    """
    if not _NAME_RE.match(name):
        raise MarkerError(
            f"invalid block name {name!r}: use letters, digits, '_', '.' or '-', "
            "starting with a letter or digit"
        )
    starts: list[re.Match[str]] = []
    ends: list[re.Match[str]] = []
    for match in _MARKER_RE.finditer(text):
        if match["name"] == name:
            (starts if match["kind"] == "start" else ends).append(match)
    start_line = f"<!-- portfolio:{name}:start -->"
    end_line = f"<!-- portfolio:{name}:end -->"
    if not starts or not ends:
        missing = " and ".join(
            marker for marker, found in ((start_line, starts), (end_line, ends)) if not found
        )
        raise MarkerError(f"block {name!r} not found: add {missing} (each on a line of its own)")
    if len(starts) > 1 or len(ends) > 1:
        raise MarkerError(
            f"block {name!r} appears more than once ({len(starts)} start and "
            f"{len(ends)} end markers): keep exactly one pair"
        )
    start, end = starts[0], ends[0]
    if end.start() < start.end():
        raise MarkerError(f"block {name!r} is malformed: {end_line} comes before {start_line}")

    body = content.replace("\r\n", "\n").strip("\n")
    nested = _MARKER_RE.search(body)
    if nested:
        # Written out, it would break this block or another one on the next run.
        raise MarkerError(
            f"content for block {name!r} contains the marker line {nested[0].strip()!r}: "
            "generated content must not contain marker lines"
        )
    newline = "\r\n" if "\r\n" in text else "\n"
    inner = newline
    if body:
        inner += body.replace("\n", newline) + newline
    # Plain slicing, never re.sub: the content must not be read as a replacement pattern.
    return text[: start.end()] + inner + text[end.start() :]


def rewrite_blocks(path: str | os.PathLike[str], blocks: Mapping[str, str]) -> None:
    """Replace several blocks in the file at ``path`` and write it back atomically.

    All blocks are replaced in memory first, so a missing block leaves the file exactly as it
    was. The new text goes to a temporary file in the same folder, which then replaces the
    original in one step (``os.replace``): a crash never leaves a half-written README. An
    unchanged file is not rewritten, so its modification time stays put.

    Raises ``MarkerError`` if a block is missing, duplicated or malformed (see
    ``replace_block``), and ``OSError`` if the file cannot be read or written.
    """
    target = Path(path)
    # newline="" keeps the file's own line endings on the way in and on the way out.
    with target.open(encoding="utf-8", newline="") as file:
        original = file.read()
    text = original
    for name, content in blocks.items():
        text = replace_block(text, name, content)
    if text == original:
        return

    fd, temp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    temp = Path(temp_name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        # mkstemp creates the file private (0600); keep the original's permissions.
        shutil.copymode(target, temp)
        temp.replace(target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
