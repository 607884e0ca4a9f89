"""A stop signal during `portfolio new`, sent to a real process at many moments.

Whatever the moment, the invariant holds: either nothing is left (the staging folder and the
-o folders the tool made are gone) and the message says nothing was written, or the complete
project is in place, committed, and the message says so. Never a traceback.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from portfolio.generate import STAGING_SUFFIX

pytestmark = pytest.mark.slow

SLUG = "movie-recommender"
COMMAND = [sys.executable, "-c", "from portfolio.cli import main; main()"]
#: Moments after the staging folder appears: early render, mid render, around git, the end.
DELAYS = (0.0, 0.05, 0.15, 0.3, 0.5, 0.8)


def _start(out: Path, *, ask: bool = False) -> subprocess.Popen[str]:
    """Start `portfolio new recommender -o out`; with ``ask``, it prompts on a piped stdin."""
    return subprocess.Popen(
        [*COMMAND, "new", "recommender", "-o", str(out), *([] if ask else ["--no-input"])],
        stdin=subprocess.PIPE if ask else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _staging(parent: Path) -> list[Path]:
    return list(parent.glob(f".*{STAGING_SUFFIX}")) if parent.is_dir() else []


def _wait_for(condition: object, process: subprocess.Popen[str], what: str) -> None:
    """Poll until ``condition()`` holds (no timing is asserted: this only finds the moment)."""
    deadline = time.monotonic() + 60
    while not condition():  # type: ignore[operator]
        if process.poll() is not None:
            pytest.fail(f"the process ended before {what}: {process.communicate()}")
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"{what} never happened")
        time.sleep(0.001)


def _assert_truthful(process: subprocess.Popen[str], signum: int, root: Path, out: Path) -> str:
    """Check the invariant after a signal; return which outcome it was."""
    stdout, stderr = process.communicate(timeout=120)
    assert "Traceback" not in stdout + stderr
    assert _staging(out) == []
    project = out / SLUG
    if process.returncode in (0, -signum):
        # The signal came once the work was done: click's teardown ignores it (0), or it
        # lands while the interpreter exits and its default action ends the process.
        assert f"Created {project}" in stdout
        outcome = "finished"
    else:
        assert process.returncode == 128 + signum, stderr
        if project.exists():
            assert stderr.strip() == f"interrupted; the project is complete at {project}"
            outcome = "complete"
        else:
            assert stderr.strip() == "interrupted; nothing was written"
            assert sorted(root.iterdir()) == [], "the -o folders the tool made must go too"
            return "nothing"
    head = subprocess.run(
        ["git", "-C", str(project), "rev-list", "--count", "HEAD"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert head.stdout.strip() == "1"
    status = ["git", "-C", str(project), "status", "--porcelain"]
    assert subprocess.run(status, capture_output=True, text=True, check=True).stdout == ""
    assert (project / ".portfolio.json").is_file()
    return outcome


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_a_signal_at_any_moment_leaves_nothing_or_the_whole_project(
    tmp_path: Path, signum: int
) -> None:
    outcomes = set()
    for index, delay in enumerate(DELAYS):
        root = tmp_path / f"run{index}"
        root.mkdir()
        out = root / "new" / "deeper"  # folders the tool creates, and must remove again
        process = _start(out)
        _wait_for(lambda out=out: _staging(out), process, "the staging folder appeared")
        time.sleep(delay)
        process.send_signal(signum)
        outcomes.add(_assert_truthful(process, signum, root, out))
    assert "nothing" in outcomes  # the early signals did interrupt the work


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_to_the_tool_alone_during_git_init_leaves_nothing(
    tmp_path: Path, signum: int
) -> None:
    # Sent to the tool's process only (not its group, as a terminal's Ctrl-C would be), so
    # the git process it is waiting for does not get it: the tool must stop git itself.
    process = _start(tmp_path)

    def git_started() -> bool:
        return any((s / "out" / SLUG / ".git").exists() for s in _staging(tmp_path))

    _wait_for(git_started, process, "git init started")
    process.send_signal(signum)
    stdout, stderr = process.communicate(timeout=120)

    assert process.returncode == 128 + signum, stderr
    assert stderr.strip() == "interrupted; nothing was written"
    assert "Traceback" not in stdout + stderr
    assert list(tmp_path.iterdir()) == []


def test_ctrl_c_at_a_prompt_exits_130_and_says_nothing_was_written(tmp_path: Path) -> None:
    process = _start(tmp_path, ask=True)
    assert process.stdout is not None
    prompt = process.stdout.read(len("Project name"))
    assert prompt == "Project name"
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)

    assert process.returncode == 130
    assert stderr.strip() == "interrupted; nothing was written"
    assert "Aborted" not in stdout + stderr
    assert list(tmp_path.iterdir()) == []


def test_input_that_ends_at_a_prompt_is_bad_input(tmp_path: Path) -> None:
    result = subprocess.run(
        [*COMMAND, "new", "recommender", "-o", str(tmp_path)],
        input="",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 2
    assert "error: no answer for project_name: the input ended" in result.stderr
    assert "--no-input" in result.stderr
    assert "Aborted" not in result.stdout + result.stderr
