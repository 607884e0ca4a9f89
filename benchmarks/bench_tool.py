"""Benchmarks for the tool itself (run by hand; numbers go into the issue note).

1. Start-up: `portfolio --help` against `cookiecutter --help` (target: at most half).
2. Generation: `portfolio new T --no-input` (render + answers file + git init + commit) against
   plain `cookiecutter --no-input` on the same composed template folder (target: within 1.3x),
   measured side by side in one run, alternating, medians over N runs.

Usage: python benchmarks/bench_tool.py [--runs 15] [--template recommender]
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
from pathlib import Path

BIN = Path(sys.executable).parent


def _time(cmd: list[str], cwd: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(
        cmd, cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--template", default="recommender")
    args = parser.parse_args()

    from portfolio.generate import compose_template
    from portfolio.templates import describe

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        env = dict(os.environ, HOME=str(tmp), GIT_CONFIG_NOSYSTEM="1")
        (tmp / ".gitconfig").write_text("[user]\n\tname = Bench\n\temail = bench@example.com\n")
        (tmp / ".cookiecutterrc").write_text(
            f"replay_dir: {tmp / 'replay'}\ncookiecutters_dir: {tmp / 'cc'}\n"
        )
        composed = compose_template(describe(args.template), tmp / "composed")

        help_times: dict[str, list[float]] = {"portfolio --help": [], "cookiecutter --help": []}
        new_times: dict[str, list[float]] = {"portfolio new": [], "cookiecutter --no-input": []}
        for i in range(args.runs):
            help_times["portfolio --help"].append(
                _time([str(BIN / "portfolio"), "--help"], tmp, env)
            )
            help_times["cookiecutter --help"].append(
                _time([str(BIN / "cookiecutter"), "--help"], tmp, env)
            )
            out_a, out_b = tmp / f"a{i}", tmp / f"b{i}"
            out_a.mkdir()
            out_b.mkdir()
            new_times["portfolio new"].append(
                _time(
                    [str(BIN / "portfolio"), "new", args.template, "--no-input", "-o", str(out_a)],
                    tmp,
                    env,
                )
            )
            new_times["cookiecutter --no-input"].append(
                _time(
                    [str(BIN / "cookiecutter"), "--no-input", "-o", str(out_b), str(composed)],
                    tmp,
                    env,
                )
            )
            shutil.rmtree(out_a)
            shutil.rmtree(out_b)

    for title, times in (("start-up", help_times), ("generation", new_times)):
        (a, ta), (b, tb) = times.items()
        ma, mb = statistics.median(ta), statistics.median(tb)
        print(
            f"{title}: {a} median {ma * 1000:.0f} ms, {b} median {mb * 1000:.0f} ms, "
            f"ratio {ma / mb:.2f}"
        )


if __name__ == "__main__":
    main()
