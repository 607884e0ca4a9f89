"""Find strings that look like credentials in a project's files and in the history a push sends.

Every file is streamed in blocks, whatever its size, so a 5 GB file costs time, never memory.
Text in UTF-16 or UTF-32 (found by its byte-order mark) is decoded; anything else, binary
included, is read as Latin-1, which maps each byte to one character, so the ASCII patterns
below match a token inside a UTF-8 file, a pickle or a notebook alike. Only regular files are
opened: a FIFO would block, and a link to ``/dev/zero`` would never end. Symbolic links are
not followed: git publishes the link, not what it points to.

History matters because deleting a committed token leaves it in every earlier commit, and
``publish`` pushes them all: ``scan_history`` reads each file version that HEAD's history holds
beyond what the remote already has.
"""

from __future__ import annotations

import codecs
import functools
import hashlib
import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol


#: The kinds of secret looked for. Each match starts with one of its pattern's triggers, which
#: are searched with ``str.find`` (memory speed); the expression is tried only where one is.
#: One expression of all of them, tried at every position, scanned 1 to 4 MB/s (measured with
#: benchmarks/bench_check.py); this way, about 30 MB/s.
@dataclass(frozen=True)
class Pattern:
    """One kind of secret: its name, the strings a match starts with, and the expression."""

    what: str
    triggers: tuple[str, ...]
    expression: str
    ignore_case: bool = False

    @functools.cached_property
    def regex(self) -> re.Pattern[str]:
        """The compiled expression (ASCII classes; case-insensitive when asked)."""
        return re.compile(self.expression, re.ASCII | (re.IGNORECASE if self.ignore_case else 0))


PATTERNS: tuple[Pattern, ...] = (
    Pattern(
        "a GitHub token",
        ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"),
        r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,})\b",
    ),
    Pattern("an AWS access key id", ("AKIA", "ASIA"), r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
    Pattern("a private key", ("-----BEGIN ",), r"-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----"),
    Pattern("a Slack token", ("xox",), r"\bxox[abprs]-[A-Za-z0-9-]{10,}\b"),
    Pattern("a Hugging Face token", ("hf_",), r"\bhf_[A-Za-z0-9]{34,}\b"),
    Pattern("a PyPI token", ("pypi-AgE",), r"\bpypi-AgE[A-Za-z0-9_-]{50,}"),
    Pattern("a Stripe live key", ("sk_live_", "rk_live_"), r"\b[rs]k_live_[A-Za-z0-9]{20,}\b"),
    Pattern("an API key", ("sk-",), r"\bsk-(?:proj-)?[A-Za-z0-9_-]{32,}\b"),
    Pattern(
        "a JSON web token",
        ("eyJ",),
        r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}",
    ),
    Pattern(
        "a hard-coded credential",
        ("api", "secret", "password", "passwd", "access"),
        r"\b(?:api[_-]?key|secret[_-]?key|password|passwd|access[_-]?token)\b\s*[:=]\s*"
        r"[\"'][^\"'\s]{12,}[\"']",
        ignore_case=True,
    ),
)
#: Characters a token is made of: a block is never cut inside a run of them (see ``_pieces``).
_TOKEN_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-./+="  # noqa: S105
_BLOCK = 1 << 20
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_O_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)


class Readable(Protocol):
    """Anything with a binary ``read``: an open file, a blob streamed from git."""

    def read(self, size: int = -1, /) -> bytes:
        """Return up to ``size`` bytes; b"" at the end."""
        ...


@dataclass(frozen=True)
class SecretHit:
    """One line that looks like it holds a credential; ``commit`` set when found in history."""

    path: str
    line: int
    what: str
    commit: str | None = None

    def location(self) -> str:
        """Return ``path:line``, with the commit when the line is only in history."""
        where = f"{self.path}:{self.line}"
        return f"{where} in commit {self.commit[:12]}" if self.commit else where


@dataclass(frozen=True)
class Skipped:
    """A file that was not scanned, and why (a FIFO, a device, unreadable)."""

    path: str
    reason: str


@dataclass(frozen=True)
class SecretScan:
    """What a scan found and what it could not read."""

    hits: tuple[SecretHit, ...]
    skipped: tuple[Skipped, ...] = ()


def scan_stream(handle: Readable) -> list[tuple[int, str]]:
    """Return ``(line, what)`` for each line of the stream that holds something secret-looking.

    A line with several is reported once, for the leftmost.
    """
    found: dict[int, str] = {}
    line = 1
    for piece in _pieces(_decoded(handle)):
        position = 0
        for start, what in sorted(_matches(piece)):
            line += piece.count("\n", position, start)
            position = start
            found.setdefault(line, what)
        line += piece.count("\n", position)
    return sorted(found.items())


def _matches(piece: str) -> Iterator[tuple[int, str]]:
    """Yield ``(offset, what)`` for every match in ``piece``, found through its triggers.

    Case-insensitive triggers are searched in a copy with ASCII letters lower-cased, one byte
    a character (anything beyond Latin-1 becomes "?"), so offsets in it are offsets in ``piece``.
    """
    folded = b""
    for pattern in PATTERNS:
        if pattern.ignore_case and not folded:
            folded = piece.encode("latin-1", errors="replace").lower()
        for trigger in pattern.triggers:
            find: Callable[[Any, int], int] = folded.find if pattern.ignore_case else piece.find
            needle: Any = trigger.encode() if pattern.ignore_case else trigger
            at = find(needle, 0)
            while at >= 0:
                if pattern.regex.match(piece, at):
                    yield at, pattern.what
                at = find(needle, at + 1)


def _decoded(handle: Readable) -> Iterator[str]:
    """Yield the stream's text in blocks: UTF-16/32 by byte-order mark, else byte for byte."""
    head = handle.read(4)
    codec = next((name for bom, name in _BOMS if head.startswith(bom)), "latin-1")
    decoder = codecs.getincrementaldecoder(codec)(errors="replace")
    yield decoder.decode(head)
    while block := handle.read(_BLOCK):
        yield decoder.decode(block)
    yield decoder.decode(b"", final=True)


def _pieces(blocks: Iterable[str]) -> Iterator[str]:
    """Re-cut text blocks at line ends (or at least outside a token) so no match is split.

    Only a single token-like run longer than a block is ever cut, and that is no credential.
    """
    rest = ""
    for block in blocks:
        data = rest + block
        cut = data.rfind("\n") + 1 or len(data.rstrip(_TOKEN_CHARS))
        if not cut and len(data) >= _BLOCK:
            cut = len(data)
        if cut:
            yield data[:cut]
        rest = data[cut:]
    if rest:
        yield rest


def _blob_hash(size: int) -> hashlib._Hash:
    """Start the hash git names a blob of ``size`` bytes by (feed it the content)."""
    blob = hashlib.sha1(usedforsecurity=False)
    blob.update(b"blob %d\0" % size)
    return blob


class _Hashing:
    """Passes reads through while hashing them the way git names blobs."""

    def __init__(self, handle: Readable, size: int) -> None:
        self._handle = handle
        self.blob = _blob_hash(size)

    def read(self, size: int = -1, /) -> bytes:
        data = self._handle.read(size)
        self.blob.update(data)
        return data


def scan_file(root: Path, name: str) -> tuple[list[SecretHit], Skipped | None, str | None]:
    """Scan one file of the project (``name`` is relative to ``root``).

    Returns the hits, why it was skipped if it was, and the git blob id of what was read
    (so history scans can skip versions already scanned here). Symbolic links and missing
    files are skipped silently; other non-regular files are reported as skipped.
    """
    path = root / name
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return [], None, None
    except OSError as err:
        return [], Skipped(name, f"cannot be read ({err.strerror})"), None
    if stat.S_ISLNK(mode):
        return [], None, None
    if not stat.S_ISREG(mode):
        return [], Skipped(name, f"is {_kind(mode)}, not a regular file"), None
    try:
        fd = os.open(path, _O_FLAGS)
    except OSError as err:
        return [], Skipped(name, f"cannot be read ({err.strerror})"), None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):  # swapped for something else since lstat
        os.close(fd)
        return [], Skipped(name, f"is {_kind(info.st_mode)}, not a regular file"), None
    with os.fdopen(fd, "rb") as handle:
        hashing = _Hashing(handle, info.st_size)
        hits = [SecretHit(name, line, what) for line, what in scan_stream(hashing)]
    return hits, None, hashing.blob.hexdigest()


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "not a file"


def scan_files(root: Path, names: Iterable[str]) -> tuple[SecretScan, set[str]]:
    """Scan the named files; return the scan and the blob ids of the contents read."""
    hits: list[SecretHit] = []
    skipped: list[Skipped] = []
    seen: set[str] = set()
    for name in names:
        found, skip, blob = scan_file(root, name)
        hits += found
        if skip is not None:
            skipped.append(skip)
        if blob is not None:
            seen.add(blob)
    return SecretScan(tuple(hits), tuple(skipped)), seen


def scan_history(root: Path, *, already_scanned: Iterable[str] = ()) -> list[SecretHit]:
    """Scan every file version a push of HEAD would send (see ``gitrepo.unpushed_blobs``).

    Versions in ``already_scanned`` (blob ids, e.g. of the working tree) are skipped. Each
    hit names the commit that brought the version in.
    """
    from portfolio.gitrepo import read_blobs, unpushed_blobs

    versions = unpushed_blobs(root)
    skip = set(already_scanned)
    wanted = [blob for blob in versions if blob not in skip]
    hits = []
    for blob, reader in read_blobs(root, wanted):
        commit, name = versions[blob]
        hits += [SecretHit(name, line, what, commit) for line, what in scan_stream(reader)]
    return hits


def scan_project(root: Path, names: Iterable[str], *, history: bool) -> SecretScan:
    """Scan the named files, then (with ``history``) the unpushed history beyond them."""
    files, seen = scan_files(root, names)
    if not history:
        return files
    return SecretScan((*files.hits, *scan_history(root, already_scanned=seen)), files.skipped)
