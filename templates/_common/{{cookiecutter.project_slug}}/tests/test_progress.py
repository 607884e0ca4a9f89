"""Tests for the stage progress bar every long command shows on a terminal."""

from __future__ import annotations

import io

import pytest

from {{ cookiecutter.__package }}.progress import (
    StageBar,
    interactive,
    track,
)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_bars_show_on_a_terminal_and_stay_quiet_in_ci_and_logs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr("sys.stderr", io.StringIO())
    assert not interactive()
    terminal = _Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    assert interactive()
    assert list(track(range(3), description="resample", total=3)) == [0, 1, 2]
    assert "resample" in terminal.getvalue()
    monkeypatch.setenv("CI", "true")
    assert not interactive()


def test_stages_run_in_the_declared_order() -> None:
    with StageBar(["one", "two"], "demo") as bar:
        bar.start("one")
        with pytest.raises(ValueError, match="out of order"):
            bar.start("three")
        bar.start("two")
