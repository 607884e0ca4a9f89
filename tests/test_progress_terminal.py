"""Long stages show progress on a terminal, and nothing of it in CI or a log.

Each template's training stage runs twice under a real pseudo-terminal, as an owner's shell
runs it: once as an owner (a bar with the elapsed and remaining time appears) and once with
``CI=true`` (no bar, only the command's own lines). The generated suites' own test of
``progress.interactive`` covers output redirected to a file.
"""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
import termios
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import TEMPLATES, run_in_project

pytestmark = pytest.mark.slow

# tqdm's "[elapsed<remaining" field: drawn only by a live bar.
BAR = re.compile(r"\[\d\d:\d\d<")
# The stage before training, so the terminal run times the training stage alone.
PREPARE = {"classifier-api": "data", "nlp-pipeline": None, "recommender": "prepare"}


def _on_a_terminal(project: Path, args: list[str], env: dict[str, str]) -> str:
    """Run ``args`` with a pseudo-terminal as stdout and stderr; return everything it drew."""
    main, secondary = pty.openpty()
    termios.tcsetwinsize(secondary, (24, 100))  # a new pseudo-terminal is 0 columns wide
    with subprocess.Popen(
        args, cwd=project, env=env, stdin=subprocess.DEVNULL, stdout=secondary, stderr=secondary
    ) as process:
        os.close(secondary)
        drawn = bytearray()
        while True:
            try:
                chunk = os.read(main, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            drawn += chunk
        os.close(main)
        assert process.wait(timeout=900) == 0, drawn.decode(errors="replace")[-5000:]
    return drawn.decode(errors="replace")


@pytest.fixture(scope="module")
def prepared(generated: Callable[[str], Path]) -> Callable[[str], Path]:
    def get(template: str) -> Path:
        project = generated(template)
        if PREPARE[template]:
            run_in_project(project, "make", PREPARE[template], f"PYTHON={sys.executable}")
        return project

    return get


@pytest.mark.parametrize("template", TEMPLATES)
def test_training_shows_a_bar_on_a_terminal_and_none_in_ci(
    template: str, prepared: Callable[[str], Path]
) -> None:
    project = prepared(template)
    owner = {k: v for k, v in os.environ.items() if k != "CI"} | {"TERM": "xterm"}
    command = ["make", "train", f"PYTHON={sys.executable}"]

    assert BAR.search(_on_a_terminal(project, command, owner))
    assert not BAR.search(_on_a_terminal(project, command, owner | {"CI": "true"}))
