"""Time the nlp-pipeline template on the real SMS Spam Collection; run by hand, print numbers.

    python benchmarks/bench_nlp_pipeline.py [--repeat 3] [--datasets ../shared/datasets]

Targets (issue 4): the whole pipeline on SMS Spam (5,574 messages) <= 15 s; ``predict`` >=
5,000 messages/s; the generated project's test suite <= 30 s; ``make all`` on the bundled
sample <= 30 s. Each timing is the median of ``--repeat`` runs, wall clock, in a fresh
subprocess (imports included) unless marked "in process".
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))


def _generate(parent: Path) -> Path:
    os.environ.setdefault("GIT_AUTHOR_NAME", "bench")
    from portfolio.generate import new_project

    return new_project("nlp-pipeline", output_dir=parent, given={}, ask=None, init_git=False).path


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONPATH"] = "src"
    return env


def _timed(args: list[str], cwd: Path) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(
        args,
        cwd=cwd,
        env=_env(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return elapsed, done.stderr


def _median(values: list[float]) -> str:
    return f"{statistics.median(values):6.2f} s (runs: {', '.join(f'{v:.2f}' for v in values)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--datasets", type=Path, default=REPO.parent / "shared" / "datasets")
    args = parser.parse_args()
    corpus = (args.datasets / "sms_spam" / "SMSSpamCollection").resolve()
    if not corpus.is_file():
        raise SystemExit(f"SMS Spam Collection not found at {corpus}")

    with tempfile.TemporaryDirectory() as tmp:
        sample = _generate(Path(tmp) / "sample")
        real = _generate(Path(tmp) / "real")
        package = next((real / "src").iterdir()).name
        config = real / "config.toml"
        config.write_text(
            config.read_text(encoding="utf-8").replace(
                'path = "data/sample/sms_spam_sample.tsv"', f"path = {json.dumps(str(corpus))}"
            ),
            encoding="utf-8",
        )
        python = sys.executable

        pipeline = [_timed([python, "-m", package, "run"], real)[0] for _ in range(args.repeat)]
        metrics = json.loads((real / "reports" / "metrics.json").read_text(encoding="utf-8"))

        messages = [
            line.split("\t", 1)[1] for line in corpus.read_text(encoding="utf-8").splitlines()
        ]
        big = Path(tmp) / "messages.txt"
        big.write_text("\n".join(messages * 10) + "\n", encoding="utf-8")
        cli_rates = []
        for _ in range(args.repeat):
            _, err = _timed([python, "-m", package, "predict", str(big), "-o", os.devnull], real)
            rate = re.search(r"([\d,]+) messages/s", err)
            assert rate, err
            cli_rates.append(float(rate[1].replace(",", "")))

        sys.path.insert(0, str(real / "src"))
        from importlib import import_module

        cli = import_module(f"{package}.cli")
        import_module(f"{package}.report")
        in_process_run = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            with contextlib.redirect_stdout(io.StringIO()):
                assert cli.main(["--config", str(config), "run"]) == 0
            in_process_run.append(time.perf_counter() - start)

        persistence = import_module(f"{package}.persistence")
        predict = import_module(f"{package}.predict")
        model = persistence.load(real / "models")
        text = "\n".join(messages * 10) + "\n"
        in_process = []
        for _ in range(args.repeat):
            stats = predict.predict_stream(model, io.StringIO(text), io.StringIO(), fmt="text")
            in_process.append(stats.per_second)

        suite = [
            _timed([python, "-m", "pytest", "-q", "-p", "no:cacheprovider"], sample)[0]
            for _ in range(args.repeat)
        ]
        make_all = [
            _timed(["make", "all", f"PYTHON={python}"], sample)[0] for _ in range(args.repeat)
        ]

    spam_f1 = metrics["test"]["per_class"]["spam"]["f1"]
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    print(f"whole pipeline on SMS Spam, 5,574 messages (target <= 15 s): {_median(pipeline)}")
    print(f"  the same in process, imports excluded: {_median(in_process_run)}")
    print(
        f"  spam F1 on the held-out set: {spam_f1['estimate']:.3f} "
        f"[{spam_f1['low']:.3f}, {spam_f1['high']:.3f}], {metrics['test']['messages']:,} messages"
    )
    n = len(messages) * 10
    print(
        f"predict, {n:,} messages (target >= 5,000/s): CLI incl. start-up and model load "
        f"{statistics.median(cli_rates):,.0f}/s in stream; in process "
        f"{statistics.median(in_process):,.0f}/s"
    )
    print(f"generated test suite (target <= 30 s): {_median(suite)}")
    print(f"make all on the bundled sample (target <= 30 s): {_median(make_all)}")


if __name__ == "__main__":
    main()
