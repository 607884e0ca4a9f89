"""Benchmarks for `portfolio check` and the secrets scan (run by hand; numbers go into the note).

1. Throughput of the streamed scan on a text file, a file of one long line and random bytes.
2. `portfolio check` on a freshly generated project (which scans its files and its history)
   and the scan `publish` runs first, medians over N runs.

Usage: python benchmarks/bench_check.py [--runs 7] [--megabytes 50] [--template recommender]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path


def _median(run: object, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        run()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--megabytes", type=int, default=50)
    parser.add_argument("--template", default="recommender")
    args = parser.parse_args()

    from portfolio.check import check_project
    from portfolio.generate import new_project
    from portfolio.secret_scan import scan_history, scan_stream

    size = args.megabytes * 1024 * 1024
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        files = {
            "text lines": (b"value,label,comment about the row\n" * (size // 34))[:size],
            "one long line": (b"a," * (size // 2))[:size],
            "random bytes": os.urandom(size),
        }
        for name, data in files.items():
            path = tmp / name.replace(" ", "-")
            path.write_bytes(data)

            def scan(path: Path = path) -> None:
                with path.open("rb") as handle:
                    scan_stream(handle)

            seconds = _median(scan, args.runs)
            rate = size / seconds / 1e6
            print(f"scan {name:14} {args.megabytes} MB: {seconds:.3f} s ({rate:.0f} MB/s)")

        os.environ.update(HOME=str(tmp), GIT_CONFIG_NOSYSTEM="1")
        (tmp / ".gitconfig").write_text("[user]\n\tname = Bench\n\temail = bench@example.com\n")
        os.environ["GIT_CONFIG_GLOBAL"] = str(tmp / ".gitconfig")
        project = new_project(args.template, output_dir=tmp / "out", given={}).path
        checked = _median(lambda: check_project(project), args.runs)
        print(f"check on a fresh {args.template}: {checked:.3f} s")
        print(f"publish's history scan: {_median(lambda: scan_history(project), args.runs):.3f} s")


if __name__ == "__main__":
    main()
