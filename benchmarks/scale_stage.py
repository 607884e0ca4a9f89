"""Run one pipeline stage as its own process group: timed, its peak memory measured, inside limits.

Two memory figures, because each misses what the other sees:

- the kernel's ``ru_maxrss`` for the stage, read with ``os.wait4`` on the stage's own process
  (``make``), which folds in every descendant it waited for. It is exact, catches the shortest
  peak, and costs nothing, but it is the largest *single* process: a stage that forks workers
  (joblib, Spark's JVM) uses more than that at once;
- the sum of the resident sets of every process in the stage's process group, sampled from
  ``/proc`` every ``interval`` seconds (0.1). It sees workers, and it is what the memory
  ceiling acts on, but it can miss a peak shorter than the interval and counts pages shared
  between processes once per process (an upper bound).

The stage's peak is the larger of the two. The group is read from ``/proc`` directly rather than
with psutil because psutil is not among this repository's dependencies and the benchmark must run
in the test environment as it is; one scan of ``/proc`` per sample is all the walk needs.

The ceiling exists because this machine has no swap and is shared: a stage that would outgrow
the memory is killed (the whole group, SIGKILL) when the sampled sum passes the limit and is
reported as "killed at X GiB", instead of meeting the kernel's OOM killer, which might pick some
other process. A timeout kills the group the same way.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")
OK, FAILED, KILLED, TIMED_OUT = "ok", "failed", "killed", "timed out"


@dataclass(frozen=True)
class StageRun:
    """How one stage went: its status, wall and CPU time, and memory (bytes)."""

    stage: str
    command: tuple[str, ...]
    status: str
    exit_code: int | None
    seconds: float
    cpu_seconds: float
    largest_process_bytes: int
    peak_group_bytes: int
    log: Path

    @property
    def peak_bytes(self) -> int:
        """The stage's peak memory: the larger of the exact and the sampled figure."""
        return max(self.largest_process_bytes, self.peak_group_bytes)

    @property
    def ok(self) -> bool:
        """Whether the stage finished with exit status 0 inside its limits."""
        return self.status == OK


def _stat(pid: int) -> tuple[int, int] | None:
    """Return (process group, resident bytes) of ``pid``, or None once it has gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:  # noqa: PTH123
            stat = handle.read()
    except OSError:
        return None
    # The command name (field 2) may hold spaces and brackets; the rest follows its last ")".
    fields = stat[stat.rindex(b")") + 2 :].split()
    return int(fields[2]), int(fields[21]) * PAGE_BYTES


def group_members(group: int) -> set[int]:
    """Return the processes of process group ``group``: one scan of ``/proc``."""
    members = set()
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            found = _stat(int(entry.name))
            if found is not None and found[0] == group:
                members.add(int(entry.name))
    return members


class _Guard:
    """Samples the group's memory on a thread; kills the group over the ceiling or the deadline.

    A scan of ``/proc`` costs about 4 ms here (90 processes; more on a busy machine), too much
    to repeat ten times a second on two shared cores, so members are found by a scan every
    ``RESCAN`` samples and only their own ``stat`` files are read in between.
    """

    RESCAN = 5

    def __init__(self, group: int, *, memory_limit: int, timeout: float, interval: float) -> None:
        self.group = group
        self.memory_limit = memory_limit
        self.deadline = time.monotonic() + timeout
        self.interval = interval
        self.peak = 0
        self.verdict: str | None = None
        self.killed_at = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _resident(self, members: set[int]) -> int:
        total = 0
        for pid in members:
            found = _stat(pid)
            # A pid that left the group (or was reused) no longer counts.
            if found is not None and found[0] == self.group:
                total += found[1]
        return total

    def _watch(self) -> None:
        members: set[int] = set()
        samples = 0
        while not self._stop.wait(self.interval):
            if samples % self.RESCAN == 0:
                members = group_members(self.group)
            samples += 1
            resident = self._resident(members)
            self.peak = max(self.peak, resident)
            if resident > self.memory_limit:
                self.verdict, self.killed_at = KILLED, resident
            elif time.monotonic() > self.deadline:
                self.verdict = TIMED_OUT
            if self.verdict:
                kill_group(self.group)
                return

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def kill_group(group: int) -> None:
    """SIGKILL every process left in ``group``; a group already gone is fine."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(group, signal.SIGKILL)


def run_stage(
    stage: str,
    command: Sequence[str],
    *,
    cwd: Path,
    env: Mapping[str, str],
    log: Path,
    timeout: float,
    memory_limit: int,
    interval: float = 0.1,
) -> StageRun:
    """Run ``command`` in a new session (so it and its children form one group), measured.

    Output goes to ``log`` rather than a pipe: a stage can print a lot, and a pipe nobody reads
    would block it. Whatever the stage left running when it ends is killed with the group, so
    no stage's stray process inflates the next one's numbers.
    """
    with log.open("wb") as output:
        start = time.perf_counter()
        process = subprocess.Popen(
            list(command),
            cwd=cwd,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        guard = _Guard(process.pid, memory_limit=memory_limit, timeout=timeout, interval=interval)
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            seconds = time.perf_counter() - start
            guard.stop()
            kill_group(process.pid)
    # Popen did not reap the child itself; tell it the exit code so it never tries to.
    process.returncode = exit_code = os.waitstatus_to_exitcode(status)
    verdict = guard.verdict or (OK if exit_code == 0 else FAILED)
    return StageRun(
        stage=stage,
        command=tuple(command),
        status=verdict,
        exit_code=exit_code,
        seconds=seconds,
        cpu_seconds=usage.ru_utime + usage.ru_stime,
        largest_process_bytes=usage.ru_maxrss * 1024,  # kilobytes on Linux
        peak_group_bytes=max(guard.peak, guard.killed_at),
        log=log,
    )


def tail(path: Path, lines: int = 15) -> str:
    """Return the last ``lines`` lines of a log, for the one-line reason a stage failed."""
    with path.open("rb") as handle:
        handle.seek(max(0, path.stat().st_size - 16_384))
        text = handle.read().decode("utf-8", "replace")
    return "\n".join(text.splitlines()[-lines:])
