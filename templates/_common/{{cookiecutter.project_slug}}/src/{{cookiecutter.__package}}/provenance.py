"""Record what the reported numbers were computed from, so stale results can be detected.

The report step fingerprints its inputs (config, code, data), its outputs (metrics, figures)
and the marker blocks it wrote into the documents, in ``reports/provenance.json``. `portfolio
check` compares them with the files as they are now: a README whose numbers no longer match
the code that produced them is worse than one with no numbers at all.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

__all__ = [
    "PROVENANCE_FILE",
    "block_contents",
    "code_files",
    "fingerprint",
    "record_provenance",
    "stale_inputs",
]

PROVENANCE_FILE = Path("reports") / "provenance.json"
_CHUNK = 1 << 20
_MARKER = re.compile(
    r"^[ \t]*<!--[ \t]*portfolio:([A-Za-z0-9][A-Za-z0-9_.-]*):(start|end)[ \t]*-->"
)


def _digest(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(_CHUNK), b""):
            sha.update(block)
    return sha.hexdigest()


def _key(path: Path, root: Path) -> str:
    """Name a file relative to the project when it lives inside it, absolutely otherwise."""
    resolved = path.resolve()
    try:
        return resolved.relative_to(root.resolve()).as_posix()
    except ValueError:
        return resolved.as_posix()


def code_files(root: Path) -> list[Path]:
    """Return the project's source files under ``src/``: the code that produces the numbers."""
    return sorted(p for p in (root / "src").rglob("*.py") if "__pycache__" not in p.parts)


def fingerprint(root: Path, inputs: Iterable[Path]) -> dict[str, str]:
    """Return ``{name: sha256}`` for each input file, sorted by name."""
    return dict(sorted((_key(p, root), _digest(p)) for p in inputs))


def block_contents(text: str) -> dict[str, str]:
    """Return each block's content: the lines between its markers, outer blank lines trimmed."""
    blocks: dict[str, str] = {}
    open_name: str | None = None
    lines: list[str] = []
    for line in text.splitlines():
        match = _MARKER.match(line)
        if match and match[2] == "start":
            open_name, lines = match[1], []
        elif match and match[2] == "end" and match[1] == open_name:
            blocks[open_name] = "\n".join(lines).strip("\n")
            open_name = None
        elif open_name is not None:
            lines.append(line)
    return blocks


def _block_digests(document: Path) -> dict[str, str]:
    text = document.read_text(encoding="utf-8")
    return {
        name: hashlib.sha256(content.encode("utf-8")).hexdigest()
        for name, content in block_contents(text).items()
    }


def record_provenance(
    root: Path,
    inputs: Iterable[Path],
    outputs: Iterable[Path] = (),
    documents: Iterable[Path] = (),
) -> Path:
    """Write ``reports/provenance.json`` (atomically) and return its path.

    ``inputs`` produced the numbers (config, code, data); ``outputs`` are what the run wrote
    (metrics, figures); ``documents`` are the Markdown files whose marker blocks it rewrote.
    Call it last, after every output and document is written.
    """
    target = root / PROVENANCE_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    data = {
        "schema": 1,
        "computed_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "inputs": fingerprint(root, inputs),
        "outputs": fingerprint(root, outputs),
        "blocks": {_key(doc, root): _block_digests(doc) for doc in sorted(documents)},
    }
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".provenance-", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=2)
        handle.write("\n")
    # mkstemp makes the file private; a committed report should have ordinary permissions.
    Path(tmp).chmod(0o644)
    Path(tmp).replace(target)
    return target


def stale_inputs(root: Path) -> list[str]:
    """Return the recorded inputs that changed or vanished since the report was written.

    Raises ``FileNotFoundError`` when no provenance was recorded (the report never ran).
    """
    recorded = json.loads((root / PROVENANCE_FILE).read_text(encoding="utf-8"))["inputs"]
    stale = []
    for name, digest in recorded.items():
        path = Path(name) if Path(name).is_absolute() else root / name
        if not path.is_file() or _digest(path) != digest:
            stale.append(name)
    return stale
