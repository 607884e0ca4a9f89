"""Failures of `portfolio new` end in one line, a hint and the right exit code, leaving nothing.

Usage errors print like every other error; a destination that cannot be written (a file in
the way, a read-only mount, a full disk) is one line, not a traceback; a signal that arrives
while the project is being put in place waits for it and the message says it is complete.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from portfolio.cli import main
from portfolio.generate import STAGING_SUFFIX


def run(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(main, list(args), input=input, prog_name="portfolio")


@pytest.mark.parametrize(
    ("args", "message", "hint"),
    [
        (["new"], "error: Missing argument 'TEMPLATE'.", "hint: usage: portfolio new [OPTIONS]"),
        (["--bogus"], "error: No such option", "hint: usage: portfolio [OPTIONS] COMMAND"),
        (["nwe"], "error: No such command 'nwe'.", "(see `portfolio --help`)"),
        (
            ["new", "recommender", "--set", "novalue"],
            "error: Invalid value for '--set': 'novalue' is not KEY=VALUE",
            "(see `portfolio new --help`)",
        ),
        (
            ["new", "recommender", "--private"],
            "error: --private, --owner, --description and --pages go with --github",
            "",
        ),
    ],
)
def test_usage_errors_have_the_one_error_prefix(args: list[str], message: str, hint: str) -> None:
    result = run(*args)

    assert result.exit_code == 2
    assert result.stderr.startswith(message)
    assert hint in result.stderr
    assert "Error:" not in result.stderr and "Try '" not in result.stderr


def test_a_bad_answer_at_a_prompt_uses_the_same_prefix(tmp_path: Path) -> None:
    replies = ["Churn Radar", "Bad Slug", "", "", "", "", "", "", ""]
    replies_text = "\n".join(replies) + "\n"
    result = run("new", "classifier-api", "--no-git", "-o", str(tmp_path), input=replies_text)

    assert result.exit_code == 0, result.output
    assert "error: invalid project_slug 'Bad Slug'" in result.stderr
    assert "Error:" not in result.output


def _entries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_output_dir_under_a_file_is_one_line_of_bad_input(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("mine", encoding="utf-8")

    result = run("new", "recommender", "--no-input", "-o", str(tmp_path / "afile" / "sub"))

    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"error: cannot create the project in {tmp_path / 'afile' / 'sub'}: "
        f"{tmp_path / 'afile'} is a file, not a folder; nothing was written",
        "hint: choose a folder you can write to with -o DIR",
    ]
    assert _entries(tmp_path) == ["afile"]
    assert (tmp_path / "afile").read_text(encoding="utf-8") == "mine"


@contextlib.contextmanager
def _mounted(folder: Path, options: str) -> Iterator[None]:
    """Mount a tmpfs with ``options`` on ``folder`` (needs root; skips when not permitted)."""
    folder.mkdir(parents=True, exist_ok=True)
    mount = shutil.which("mount")
    result = subprocess.run(
        [mount or "mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({result.stderr.strip()}); needs root")
    try:
        yield
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def test_output_dir_on_a_read_only_place_is_one_line(tmp_path: Path) -> None:
    place = tmp_path / "ro"
    if os.geteuid() == 0:
        context = _mounted(place, "ro,size=64k")
    else:
        place.mkdir()
        place.chmod(0o555)
        context = contextlib.nullcontext()
    with context:
        result = run("new", "recommender", "--no-input", "-o", str(place / "sub"))

        assert result.exit_code == 2
        assert result.stderr.startswith(f"error: cannot create the project in {place / 'sub'}: ")
        assert ("Read-only file system" in result.stderr) or ("Permission denied" in result.stderr)
        assert "Traceback" not in result.output
        assert _entries(place) == []


def test_a_full_disk_while_copying_the_template_is_one_line(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root (the next test simulates it instead)")
    place = tmp_path / "small"
    with _mounted(place, "size=200k"):
        result = run("new", "recommender", "--no-input", "-o", str(place))

        assert result.exit_code == 1
        assert result.stderr.splitlines() == [
            f"error: cannot write the project in {place}: No space left on device; "
            "nothing was written",
            "hint: free some space, or choose a folder you can write to with -o DIR",
        ]
        assert _entries(place) == []


def test_a_copy_error_of_the_template_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # copytree's copy2 writes each file through shutil.copyfile; the sixth finds the disk full.
    real = shutil.copyfile
    copied: list[str] = []

    def copy_until_full(src: str, dst: str, **kwargs: object) -> object:
        copied.append(src)
        if len(copied) > 5:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), dst)
        return real(src, dst, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(shutil, "copyfile", copy_until_full)
    result = run("new", "recommender", "--no-input", "-o", str(tmp_path / "out"))

    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"error: cannot write the project in {tmp_path / 'out'}: No space left on device"
    )
    assert _entries(tmp_path) == []


@pytest.fixture(autouse=True)
def stop_signals_fail_the_test() -> Iterator[None]:
    """Make SIGTERM and SIGHUP fail the test instead of killing pytest if the CLI ignores them."""

    def unhandled(signum: int, _frame: object) -> None:
        raise AssertionError(f"signal {signum} reached the test: the CLI did not handle it")

    previous = {sig: signal.signal(sig, unhandled) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _signal_self_then(real: object, signum: int = signal.SIGINT) -> object:
    def wrapper(*args: object, **kwargs: object) -> object:
        os.kill(os.getpid(), signum)
        return real(*args, **kwargs)  # type: ignore[operator]

    return wrapper


@pytest.mark.parametrize("step", ["_move_into_place", "_remove_tree"])
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_while_the_project_is_put_in_place_waits_and_says_it_is_complete(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: str, signum: int
) -> None:
    import portfolio.generate

    monkeypatch.setattr(
        portfolio.generate, step, _signal_self_then(getattr(portfolio.generate, step), signum)
    )
    result = run("new", "recommender", "--no-input", "-o", str(tmp_path))

    project = tmp_path / "movie-recommender"
    assert result.exit_code == 128 + signum
    assert result.stderr == f"\ninterrupted; the project is complete at {project}\n"
    assert _entries(tmp_path) == ["movie-recommender"]
    assert not list(tmp_path.glob(f".*{STAGING_SUFFIX}"))
    status = subprocess.run(
        ["git", "-C", str(project), "status", "--porcelain"], capture_output=True, text=True
    )
    assert status.returncode == 0 and status.stdout == ""


def test_a_signal_while_rendering_removes_the_staging_and_the_created_folders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import portfolio.generate

    monkeypatch.setattr(
        portfolio.generate,
        "write_answers_file",
        _signal_self_then(portfolio.generate.write_answers_file, signal.SIGHUP),
    )
    result = run("new", "recommender", "--no-input", "-o", str(tmp_path / "a" / "b"))

    assert result.exit_code == 128 + signal.SIGHUP
    assert result.stderr == "\ninterrupted; nothing was written\n"
    assert _entries(tmp_path) == []


def test_a_signal_while_publishing_says_the_project_is_intact_and_how_to_finish(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import portfolio.publish

    bare = tmp_path / "bare.git"
    subprocess.run(["git", "init", "--quiet", "--bare", str(bare)], check=True)
    monkeypatch.setattr(
        portfolio.publish, "push", _signal_self_then(portfolio.publish.push, signal.SIGTERM)
    )
    result = run("new", "recommender", "--no-input", "-o", str(tmp_path), "--remote", str(bare))

    project = tmp_path / "movie-recommender"
    assert result.exit_code == 128 + signal.SIGTERM
    assert result.stderr.endswith(
        f"\ninterrupted; publishing was cut short; the project in {project} is intact: run "
        f"portfolio publish {project} --remote {bare}\n"
    )
    assert (project / ".portfolio.json").is_file()
