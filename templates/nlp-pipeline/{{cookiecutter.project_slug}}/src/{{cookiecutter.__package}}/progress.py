"""Progress bars for long work, shown on a terminal and silent in logs and CI."""

from __future__ import annotations

import sys
from types import TracebackType

from tqdm import tqdm

__all__ = ["StageBar", "interactive"]


def interactive() -> bool:
    """Return whether stderr is a terminal; bars written to a log file are only noise."""
    return sys.stderr.isatty()


class StageBar:
    """A progress bar over named stages: ``with StageBar(names, "train") as bar: bar.start(n)``.

    Each ``start`` completes the previous stage and shows the new one's name, so a slow
    stage is visible while it runs.
    """

    def __init__(self, names: list[str], description: str) -> None:
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
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if error is None and self._started:
            self._bar.update(1)
        self._bar.close()
