"""Benchmarks for `portfolio update` (run by hand; numbers go into the issue note).

Medians over N runs on one generated project (a fresh copy for each merging run):
1. `check_for_update` in process: the render-and-compare that `portfolio check` now also runs
   (target: well under a second, so `portfolio check` stays fast).
2. `portfolio check` and `portfolio update --check` as a user runs them (subprocesses).
3. `update_project` merging a second template version (a changed `_common` file, a changed
   template file, a new file) into a project with a commit of the owner's.

Usage: python benchmarks/bench_update.py [--runs 9] [--template recommender]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parents[1]


def _median(runs: int, action: Callable[[int], object]) -> float:
    times = []
    for index in range(runs):
        start = time.perf_counter()
        action(index)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--template", default="recommender")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        (tmp / ".gitconfig").write_text("[user]\n\tname = Bench\n\temail = bench@example.com\n")
        os.environ.update(HOME=str(tmp), GIT_CONFIG_GLOBAL=str(tmp / ".gitconfig"))
        from portfolio.generate import new_project
        from portfolio.update import check_for_update, update_project

        project = new_project(args.template, output_dir=tmp / "out", given={}, ask=None).path
        (project / "NOTES.md").write_text("the owner's notes\n")
        subprocess.run(["git", "add", "-A"], cwd=project, check=True)
        subprocess.run(["git", "commit", "-qm", "mine"], cwd=project, check=True)

        v2 = tmp / "templates-v2"
        shutil.copytree(ROOT / "templates", v2)
        slug = "{{cookiecutter.project_slug}}"
        with (v2 / "_common" / slug / ".gitignore").open("a") as file:
            file.write("*.bak\n")
        makefile = v2 / args.template / slug / "Makefile"
        makefile.write_text("# second version\n" + makefile.read_text())
        (v2 / args.template / slug / "docs" / "second.md").write_text("# New\n")

        def run_cli(*words: str) -> None:
            subprocess.run(
                [str(BIN / "portfolio"), *words, str(project)],
                check=False,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )

        def merge(index: int) -> None:
            copy = tmp / f"copy-{index}"
            shutil.copytree(project, copy)
            result = update_project(copy, templates=v2)
            assert result.merge_commit, result

        rows = [
            (
                "check_for_update (in process)",
                _median(args.runs, lambda _: check_for_update(project)),
            ),
            (
                "portfolio update --check",
                _median(args.runs, lambda _: run_cli("update", "--check")),
            ),
            ("portfolio check", _median(args.runs, lambda _: run_cli("check"))),
            ("update_project (a real merge)", _median(args.runs, merge)),
        ]
        for name, seconds in rows:
            print(f"{name:32} {seconds * 1000:7.0f} ms  (median of {args.runs})")


if __name__ == "__main__":
    main()
