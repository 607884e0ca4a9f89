"""Ctrl-C, SIGTERM and SIGHUP unwind the same way, and never in the middle of a final step.

Python raises ``KeyboardInterrupt`` for SIGINT, but SIGTERM and SIGHUP kill it outright, so no
``finally`` runs and a staging folder is left behind. Inside ``signals_as_interrupts`` all
three raise ``Interrupted`` (a ``KeyboardInterrupt``), so one clean-up path serves them all.
``shielded`` defers them while a step that must not stop half-way runs (the rename that makes a
project appear, the clean-up of the staging folder); ``Shield.allow`` re-opens a window inside
it for the long, safely abandonable work. A signal deferred by the shield is delivered when the
shield closes, to whatever handler was there before.

Handlers are Python-level, so this works whatever threads exist; outside the main thread, where
Python cannot install handlers, the context managers change nothing.
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType, TracebackType
from typing import Any

#: The signals that mean "stop": Ctrl-C, ``kill``, and a closed terminal (not on Windows).
SIGNALS: tuple[signal.Signals, ...] = tuple(
    sig
    for sig in (signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGHUP", None))
    if sig is not None
)

_Handler = Callable[[int, FrameType | None], Any] | int | None


class Interrupted(KeyboardInterrupt):
    """A stop signal arrived; ``outcome`` says what is on disk now, when the code knows it."""

    def __init__(self, signum: int = signal.SIGINT, outcome: str = "") -> None:
        super().__init__(signum, outcome)
        self.signum = signum
        self.outcome = outcome

    @property
    def exit_code(self) -> int:
        """The shell's convention: 128 plus the signal number (130 for Ctrl-C)."""
        return 128 + self.signum

    @classmethod
    def of(cls, err: KeyboardInterrupt, outcome: str) -> Interrupted:
        """Return ``err`` as an ``Interrupted`` for the same signal, now saying ``outcome``."""
        return cls(err.signum if isinstance(err, Interrupted) else signal.SIGINT, outcome)


def _raise_interrupted(signum: int, _frame: FrameType | None) -> None:
    raise Interrupted(signum)


def _in_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


def _install(handler: _Handler) -> dict[signal.Signals, _Handler]:
    """Install ``handler`` for every stop signal; return the handlers it replaced."""
    return {sig: signal.signal(sig, handler) for sig in SIGNALS}


def _restore(previous: dict[signal.Signals, _Handler]) -> None:
    for sig, handler in previous.items():
        signal.signal(sig, signal.SIG_DFL if handler is None else handler)


@contextmanager
def signals_as_interrupts() -> Iterator[None]:
    """Within the block, SIGINT, SIGTERM and SIGHUP all raise ``Interrupted``."""
    if not _in_main_thread():
        yield
        return
    previous = _install(_raise_interrupted)
    try:
        yield
    finally:
        _restore(previous)


class Shield:
    """Defers stop signals while active; ``allow()`` lets them through for a while.

    Use it through ``shielded()``. The first deferred signal is delivered when the shield
    closes, unless an interrupt is already unwinding the stack: one is enough.
    """

    def __init__(self) -> None:
        self._pending: list[int] = []
        self._outer: dict[signal.Signals, _Handler] = {}
        self._active = False

    def _defer(self, signum: int, _frame: FrameType | None) -> None:
        self._pending.append(signum)

    def __enter__(self) -> Shield:
        if _in_main_thread():
            self._outer = _install(self._defer)
            self._active = True
        return self

    def __exit__(
        self, kind: type[BaseException] | None, err: BaseException | None, tb: TracebackType | None
    ) -> None:
        if not self._active:
            return
        self._active = False
        _restore(self._outer)
        pending, self._pending = self._pending, []
        unwinding = isinstance(err, KeyboardInterrupt) or isinstance(
            sys.exc_info()[1], KeyboardInterrupt
        )
        if pending and not unwinding:
            signal.raise_signal(pending[0])

    def release(self) -> None:
        """Deliver a deferred signal now, where the caller can still say what it means."""
        with self.allow():
            pass

    @contextmanager
    def allow(self) -> Iterator[None]:
        """Let stop signals act as they would outside the shield, for the block's duration.

        A signal deferred before the block is delivered as it starts.
        """
        if not self._active:
            yield
            return
        _restore(self._outer)
        try:
            pending, self._pending = self._pending, []
            if pending:
                signal.raise_signal(pending[0])
            yield
        finally:
            _install(self._defer)


def shielded() -> Shield:
    """Return a fresh ``Shield``, which defers stop signals inside its ``with`` block."""
    return Shield()
