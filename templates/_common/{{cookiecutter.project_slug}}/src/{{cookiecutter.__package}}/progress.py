"""Progress bars for long work, shown on a terminal and silent in logs and CI."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from types import TracebackType
from typing import TypeVar

from tqdm import tqdm

__all__ = ["StageBar", "interactive", "track"]

T = TypeVar("T")


def interactive() -> bool:
    """Return whether to draw bars: on a terminal, never in CI.

    Bars written to a log file are only noise, and CI runners that give jobs a pseudo-terminal
    would otherwise fill their logs with redraws; ``CI`` is set by every major CI service.
    """
    return sys.stderr.isatty() and not os.environ.get("CI")


def track(
    items: Iterable[T], *, description: str, total: int | None = None, unit: str = "it"
) -> Iterator[T]:
    """Yield ``items`` behind a bar with the rate and the time left (when ``total`` is known).

    For loops long enough that an owner would otherwise wonder whether the command hangs,
    such as bootstrap resamples or cross-validation folds.
    """
    yield from tqdm(items, desc=description, total=total, unit=unit, disable=not interactive())


class StageBar:
    """A progress bar over named stages: ``with StageBar(names, "train") as bar: bar.start(n)``.

    Each ``start`` completes the previous stage and shows the new one's name, so a slow
    stage is visible while it runs.
    """

    def __init__(self, names: list[str], description: str) -> None:
        """Draw an empty bar of ``len(names)`` stages labelled ``description``."""
        self._names = names
        self._bar = tqdm(
            total=len(names), desc=description, unit="stage", disable=not interactive()
        )
        self._started = 0

    def start(self, name: str) -> None:
        """Mark the previous stage done and show ``name`` as running.

        Raises:
            ValueError: ``name`` is not the next stage (stages run in the declared order).

        """
        expected = self._names[self._started] if self._started < len(self._names) else None
        if name != expected:
            raise ValueError(f"stage {name!r} started out of order, expected {expected!r}")
        if self._started:
            self._bar.update(1)
        self._started += 1
        self._bar.set_postfix_str(name)

    def __enter__(self) -> StageBar:
        """Return the bar, for stages started inside the ``with`` block."""
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Count the last stage done unless it raised, and close the bar."""
        if error is None and self._started:
            self._bar.update(1)
        self._bar.close()
