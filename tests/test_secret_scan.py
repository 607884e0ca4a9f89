"""Secrets are found where they hide: big files, binary and UTF-16 files, and git history.

`check` reports them; `publish` refuses to push them. Irregular files never hang or exhaust
the scan.
"""

from __future__ import annotations

import codecs
import os
import subprocess
import sys
from pathlib import Path

import pytest

from portfolio.check import check_project
from portfolio.errors import PortfolioError
from portfolio.publish import publish_project
from portfolio.secret_scan import scan_stream
from tests.check_fixtures import build_ready_project, commit_all, findings, git

GITHUB_TOKEN = "ghp_" + "a1B2c3D4e5" * 4


@pytest.fixture
def ready(tmp_path: Path) -> Path:
    return build_ready_project(tmp_path)


TOKENS = {
    "a GitHub token": GITHUB_TOKEN,
    "a Hugging Face token": "hf_" + "AbCdEfGhIj" * 4,
    "a PyPI token": "pypi-AgEIcHlwaS5vcmc" + "x" * 60,
    "a Stripe live key": "sk_live_" + "51HcDeFgHiJkLmNoPqRsTuVw",
    "a JSON web token": (
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0."
        "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
    ),
}


@pytest.mark.parametrize(("what", "token"), sorted(TOKENS.items()))
def test_each_kind_of_token_is_recognised(ready: Path, what: str, token: str) -> None:
    (ready / "notes.txt").write_text(f"first line\nkey: {token}\n", encoding="utf-8")

    assert findings(ready, "secrets") == [f"notes.txt:2 looks like {what}"]


def test_a_restricted_stripe_key_is_recognised() -> None:
    assert scan_stream(_Bytes(b"rk_live_51HcDeFgHiJkLmNoPqRsTuVw\n")) == [(1, "a Stripe live key")]


class _Bytes:
    def __init__(self, data: bytes) -> None:
        self._data = data

    def read(self, size: int = -1, /) -> bytes:
        size = len(self._data) if size < 0 else size
        chunk, self._data = self._data[:size], self._data[size:]
        return chunk


def test_a_token_deep_in_a_5_mb_file_is_found(ready: Path) -> None:
    filler = ("x = 1  # filler line\n" * 250_000).encode()  # 5.25 MB
    assert len(filler) > 5 * 1024 * 1024
    (ready / "data.csv").write_bytes(filler + f"token,{GITHUB_TOKEN}\n".encode())

    assert findings(ready, "secrets") == ["data.csv:250001 looks like a GitHub token"]


def test_a_token_in_a_long_line_across_block_boundaries_is_found() -> None:
    # One line of 3 MB: the scanner cuts it into blocks, never inside a token.
    for offset in (1024 * 1024 - 10, 1024 * 1024 - 3, 2 * 1024 * 1024 + 1):
        data = b"," * offset + GITHUB_TOKEN.encode() + b"," * 1000
        assert scan_stream(_Bytes(data)) == [(1, "a GitHub token")], offset


def test_a_token_in_a_binary_file_is_found(ready: Path) -> None:
    (ready / "model.bin").write_bytes(b"\x00\x01PK\x03\x04" * 100 + GITHUB_TOKEN.encode() + b"\0")

    assert findings(ready, "secrets") == ["model.bin:1 looks like a GitHub token"]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
def test_a_token_in_a_utf16_file_is_found(ready: Path, encoding: str) -> None:
    bom = {"utf-16-be": codecs.BOM_UTF16_BE}.get(encoding, b"")
    text = f"line one\nline two\napi: {GITHUB_TOKEN}\n"
    (ready / "notes.txt").write_bytes(bom + text.encode(encoding))

    assert findings(ready, "secrets") == ["notes.txt:3 looks like a GitHub token"]


def test_an_untracked_file_is_scanned_and_an_ignored_one_is_not(ready: Path) -> None:
    (ready / "scratch.py").write_text(f"T = '{GITHUB_TOKEN}'\n", encoding="utf-8")
    (ready / "data" / "raw").mkdir(parents=True)
    (ready / "data" / "raw" / "dump.txt").write_text(GITHUB_TOKEN, encoding="utf-8")

    assert findings(ready, "secrets") == ["scratch.py:1 looks like a GitHub token"]


def test_a_token_committed_then_deleted_is_found_in_history(ready: Path) -> None:
    settings = ready / "src" / "churn" / "settings.py"
    settings.write_text(f"\nTOKEN = '{GITHUB_TOKEN}'\n", encoding="utf-8")
    commit_all(ready)
    leaked = git(ready, "rev-parse", "HEAD").strip()
    settings.write_text("TOKEN = os.environ['TOKEN']\n", encoding="utf-8")
    commit_all(ready)

    report = check_project(ready)
    (hit,) = [f for f in report.findings if f.rule == "secrets"]
    assert (hit.file, hit.line, hit.commit) == ("src/churn/settings.py", 2, leaked)
    assert hit.message == (
        f"looks like a GitHub token (in commit {leaked[:12]}, history the next push would send)"
    )
    assert "rewrite that history" in hit.fix
    assert not report.ready


def test_history_already_on_the_remote_is_not_scanned_again(ready: Path, tmp_path: Path) -> None:
    settings = ready / "src" / "churn" / "settings.py"
    settings.write_text(f"TOKEN = '{GITHUB_TOKEN}'\n", encoding="utf-8")
    commit_all(ready)
    settings.write_text("TOKEN = None\n", encoding="utf-8")
    commit_all(ready)
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True)
    git(ready, "remote", "add", "origin", str(remote))
    git(ready, "push", "-q", "-u", "origin", "main")

    assert findings(ready, "secrets") == []  # pushed already: rotating it is all that is left


def test_publish_refuses_history_with_a_secret_and_names_the_override(
    ready: Path, tmp_path: Path
) -> None:
    settings = ready / "src" / "churn" / "settings.py"
    settings.write_text(f"TOKEN = '{GITHUB_TOKEN}'\n", encoding="utf-8")
    commit_all(ready)
    leaked = git(ready, "rev-parse", "HEAD").strip()
    settings.unlink()
    commit_all(ready)
    bare = tmp_path / "bare.git"
    subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True)

    with pytest.raises(PortfolioError) as caught:
        publish_project(ready, remote=str(bare), token_source=_no_token)

    assert caught.value.message == (
        f"refusing to publish: src/churn/settings.py:1 in commit {leaked[:12]} looks like a "
        "GitHub token; nothing was published"
    )
    assert caught.value.hint.endswith(
        f"publish anyway: portfolio publish {ready} --remote {bare} --allow-secrets"
    )
    assert git(ready, "remote") == ""
    assert not (bare / "refs" / "heads" / "main").exists()

    result = publish_project(ready, remote=str(bare), allow_secrets=True, token_source=_no_token)

    assert result.sha == git(ready, "rev-parse", "HEAD").strip()


def _no_token() -> str:
    raise AssertionError("a push to a folder needs no token")


def _check_in_a_subprocess(project: Path) -> subprocess.CompletedProcess[str]:
    """Run `portfolio check` in a child with a memory cap, so a regression fails, not hangs."""
    code = (
        "import resource, sys\n"
        "resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))\n"
        "from portfolio.cli import main\n"
        "main(['check', sys.argv[1]])\n"
    )
    return subprocess.run(
        [sys.executable, "-c", code, str(project)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_fifo_named_readme_neither_hangs_nor_crashes(ready: Path) -> None:
    (ready / "README.md").unlink()
    os.mkfifo(ready / "README.md")

    result = _check_in_a_subprocess(ready)

    assert result.returncode == 1, result.stderr
    assert "README.md is not a regular file" in result.stdout
    assert "Traceback" not in result.stderr


def test_a_readme_linked_to_dev_zero_neither_hangs_nor_exhausts_memory(ready: Path) -> None:
    (ready / "README.md").unlink()
    (ready / "README.md").symlink_to("/dev/zero")
    (ready / "MODEL_CARD.md").unlink()
    (ready / "MODEL_CARD.md").symlink_to("/dev/zero")
    commit_all(ready)

    result = _check_in_a_subprocess(ready)

    assert result.returncode == 1, result.stderr
    assert "README.md is a link to outside the project" in result.stdout
    assert "MemoryError" not in result.stderr and "Traceback" not in result.stderr


def test_a_fifo_in_the_project_is_a_warning_not_a_hang(ready: Path) -> None:
    # Without git, every file of the walk is a candidate, the FIFO included.
    subprocess.run(["rm", "-rf", str(ready / ".git")], check=True)
    os.mkfifo(ready / "pipe.txt")

    result = _check_in_a_subprocess(ready)

    assert "pipe.txt is a FIFO, not a regular file: not scanned" in result.stdout
    assert "Traceback" not in result.stderr
