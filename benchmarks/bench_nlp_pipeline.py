"""Time the nlp-pipeline template on the real SMS Spam Collection; run by hand, print numbers.

    python benchmarks/bench_nlp_pipeline.py [--repeat 3] [--datasets ../shared/datasets]

Targets (issue 4): the whole pipeline on SMS Spam (5,574 messages) <= 15 s; ``predict`` >=
5,000 messages/s; the generated project's test suite <= 30 s; ``make all`` on the bundled
sample <= 30 s. Also timed, without a target: the whole pipeline on a four-class file the size
of AG News's test set (7,600 headlines, title and description, written here), which exercises
the per-class bootstrap and the cost-matrix decision. Each timing is the median of
``--repeat`` runs, wall clock, in a fresh subprocess (imports included) unless marked "in
process". Issue 13 added tuning C by cross-validation, the recalibration check and the paired
comparisons: the in-process breakdown by stage (train, evaluate, report) shows what they cost,
and the SMS run's headline, chosen C and calibration decision are printed.
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


def _write_four_classes(path: Path, rows: int = 7_600, seed: int = 0) -> None:
    """Write a headerless quoted CSV like AG News: class code 1-4, title, description.

    Each class draws from its own vocabulary of random letter strings with a Zipf-like
    weighting and borrows words of other classes, so the classes overlap as real topics do.
    """
    import csv

    import numpy as np

    rng = np.random.default_rng(seed)
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))

    def words(count: int) -> list[str]:
        return ["".join(rng.choice(letters, size=rng.integers(3, 10))) for _ in range(count)]

    vocabulary = [words(400) for _ in range(4)]
    shared = words(300)
    weights = 1.0 / np.arange(1, 401)
    weights /= weights.sum()
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_ALL)
        for _ in range(rows):
            code = int(rng.integers(4))
            own = rng.choice(vocabulary[code], size=6, p=weights).tolist()
            other = rng.choice(vocabulary[int(rng.integers(4))], size=2, p=weights).tolist()
            words = rng.permutation(own + other + rng.choice(shared, size=12).tolist()).tolist()
            writer.writerow([code + 1, " ".join(words[:6]), " ".join(words[6:])])


def _four_class_config(text: str, data: Path) -> str:
    """Return the shipped config pointed at the four-class file, with its labels mapped."""
    text = re.sub(r"^(positive|action|about) = .*\n", "", text, flags=re.M)
    text = re.sub(r"^\[download\]\n(?:(?!\[).*\n)*", "", text, flags=re.M)
    text = re.sub(r"^\[labels\.map\]\n(?:(?!\[).*\n)*", "", text, flags=re.M)
    costs = '[costs]\ncurrency = "EUR"\nerror = 1.0\n\n'
    text = re.sub(r"^\[costs\]\n(?:(?!\[).*\n)*", costs, text, flags=re.M)
    replacements = {
        'path = "data/sample/sms_spam_sample.tsv"': f"path = {json.dumps(str(data))}",
        'columns = ["label", "text"]': 'columns = ["label", "title", "description"]',
        'text_columns = ["text"]': 'text_columns = ["title", "description"]',
        'quoting = "none"': 'quoting = "minimal"',
    }
    for old, new in replacements.items():
        assert old in text, old
        text = text.replace(old, new)
    labels = "\n".join(f'{code} = "topic {code}"' for code in range(1, 5))
    return text + f"\n[labels.map]\n{labels}\n"


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
        four = _generate(Path(tmp) / "four")
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

        _write_four_classes(Path(tmp) / "news.csv")
        four_config = four / "config.toml"
        four_config.write_text(
            _four_class_config(four_config.read_text(encoding="utf-8"), Path(tmp) / "news.csv"),
            encoding="utf-8",
        )
        four_classes = [_timed([python, "-m", package, "run"], four)[0] for _ in range(args.repeat)]
        four_metrics = json.loads((four / "reports" / "metrics.json").read_text(encoding="utf-8"))

        messages = [
            line.split("\t", 1)[1] for line in corpus.read_text(encoding="utf-8").splitlines()
        ]
        big = Path(tmp) / "messages.txt"
        big.write_text("\n".join(messages * 10) + "\n", encoding="utf-8")
        cli_rates = []
        for _ in range(args.repeat):
            _, err = _timed([python, "-m", package, "predict", str(big), "-o", os.devnull], real)
            rate = re.search(r"([\d,]+) per second", err)
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
        stages: dict[str, list[float]] = {"train": [], "evaluate": [], "report": []}
        loaded = import_module(f"{package}.config").load_config(config)
        for _ in range(args.repeat):
            start = time.perf_counter()
            import_module(f"{package}.train").train(loaded)
            stages["train"].append(time.perf_counter() - start)
            start = time.perf_counter()
            evaluation = import_module(f"{package}.evaluate").evaluate(loaded)
            stages["evaluate"].append(time.perf_counter() - start)
            start = time.perf_counter()
            import_module(f"{package}.report").write_report(loaded, evaluation)
            stages["report"].append(time.perf_counter() - start)

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
        f"[{spam_f1['low']:.3f}, {spam_f1['high']:.3f}], {metrics['test']['texts']:,} messages"
    )
    for stage, values in stages.items():
        print(f"  {stage} in process: {_median(values)}")
    model = metrics["model"]
    calibration = metrics["test"]["calibration"]
    print(
        f"  C {model['C']:g} chosen by {model['tuning']['folds']}-fold cross-validation; "
        f"recalibration {'applied' if calibration['applied'] else 'not applied'} "
        f"({calibration['reason']})"
    )
    print(f"  headline: {metrics['headline']['items'][0]['text']}")
    macro = four_metrics["test"]["macro"]["f1"]
    print(
        f"whole pipeline, four classes, 7,600 rows (no target): {_median(four_classes)}; "
        f"macro-F1 {macro['estimate']:.3f} [{macro['low']:.3f}, {macro['high']:.3f}] on "
        f"{four_metrics['test']['texts']:,} test rows"
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
