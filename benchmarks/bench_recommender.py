"""Benchmark the recommender template on MovieLens 100K (run by hand; numbers go in the note).

Targets on a 2-core machine:
1. End to end: `make all` on MovieLens 100K (all models, all metrics, all users) <= 30 s.
2. Ranking all 943 users, per model (score + mask seen + top-k), in process.
3. The metrics alone for the judged users <= 1 s per model (accuracy, beyond-accuracy,
   bootstrap intervals).
4. The generated project's own test suite (on its bundled sample) <= 60 s.
5. Reading a 1,000,000-row headerless tab-separated log (delimiter detected, ids as text,
   timestamps converted, repeats dropped) into the canonical interactions <= 10 s.
6. Everything chosen on validation (every candidate of every model fitted and scored, the
   served models chosen with paired intervals) <= 15 s on MovieLens.
7. Every paired comparison the report may state (all ordered pairs of models, every compared
   metric, 1,000 resamples) <= 2 s.

The project is generated into a temporary folder and switched to MovieLens through its
config.toml only, exactly as tests/test_recommender_real_data.py does.

Usage: python benchmarks/bench_recommender.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import importlib
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from portfolio.generate import new_project

REPO_ROOT = Path(__file__).resolve().parents[1]


def _wall(command: list[str], cwd: Path) -> tuple[float, float]:
    """Return (wall seconds, CPU seconds of the child processes).

    CPU time is reported too because other work on a shared machine inflates wall time
    but not the CPU the command itself needs.
    """
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.pop("PYTHONPATH", None)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, env=env, check=True, capture_output=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def _show(label: str, runs: list[tuple[float, float]]) -> str:
    wall, cpu = min(runs)
    all_runs = ", ".join(f"{w:.1f}" for w, _ in runs)
    return f"{label:<34}{wall:6.2f} s wall (CPU {cpu:5.2f} s; runs {all_runs})"


def _best(repeats: int, action: Callable[[], Any]) -> float:
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        timings.append(time.perf_counter() - start)
    return min(timings)


def _switch_to_movielens(project: Path, movielens: Path) -> None:
    config = project / "config.toml"
    text = config.read_text(encoding="utf-8")
    text = text.replace('source = "file"', 'source = "movielens"')
    text = text.replace(
        'movielens_path = "data/raw/ml-100k"', f'movielens_path = "{movielens.as_posix()}"'
    )
    config.write_text(text, encoding="utf-8")


def _write_log(path: Path, rows: int) -> None:
    rng = np.random.default_rng(0)
    users = rng.integers(0, 50_000, rows)
    items = rng.integers(0, 20_000, rows)
    stamps = 1_700_000_000 + np.arange(rows)
    with path.open("w", encoding="utf-8") as handle:
        for user, item, stamp in zip(users, items, stamps, strict=True):
            handle.write(f"u{user}\ti{item}\t{stamp}\n")


def _reading_seconds(project: Path, repeats: int, rows: int = 1_000_000) -> float:
    """Time load_raw on a large headerless TSV through the project's own config loader."""
    log = project / "data" / "big.tsv"
    _write_log(log, rows)
    config_path = project / "bench-reading.toml"
    config_path.write_text(
        '[data.interactions]\npath = "data/big.tsv"\nheader = false\n'
        'column_names = ["u", "i", "t"]\n'
        '[data.interactions.columns]\nuser = "u"\nitem = "i"\ntimestamp = "t"\n',
        encoding="utf-8",
    )
    package = project.name.replace("-", "_")
    config = importlib.import_module(f"{package}.config").load_config(config_path)
    data = importlib.import_module(f"{package}.data")
    return _best(repeats, lambda: data.load_raw(config))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    datasets = Path(os.environ.get("PORTFOLIO_DATASETS", REPO_ROOT.parent / "shared" / "datasets"))
    movielens = (datasets / "movielens_100k").resolve()
    if not (movielens / "u.data").is_file():
        sys.exit(f"MovieLens 100K not found at {movielens}")

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        sample_project = new_project(
            "recommender", output_dir=tmp / "sample", given={}, ask=None, init_git=False
        ).path
        pytest = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
        suite = [_wall(pytest, sample_project) for _ in range(args.repeats)]
        make = ["make", "all", f"PYTHON={sys.executable}"]
        make_sample = [_wall(make, sample_project) for _ in range(args.repeats)]

        project = new_project(
            "recommender", output_dir=tmp / "ml", given={}, ask=None, init_git=False
        ).path
        _switch_to_movielens(project, movielens)
        end_to_end = [_wall(make, project) for _ in range(args.repeats)]

        sys.path.insert(0, str(project / "src"))
        package = project.name.replace("-", "_")
        config_module = importlib.import_module(f"{package}.config")
        prepare = importlib.import_module(f"{package}.prepare")
        models = importlib.import_module(f"{package}.models")
        metrics = importlib.import_module(f"{package}.metrics")

        scoring = importlib.import_module(f"{package}.scoring")
        tuning = importlib.import_module(f"{package}.tuning")
        evaluate = importlib.import_module(f"{package}.evaluate")

        config = config_module.load_config(project / "config.toml")
        k = config.evaluation.k
        load_seconds = _best(args.repeats, lambda: prepare.load_dataset(config))
        data = prepare.load_dataset(config)
        tuning_seconds = _best(args.repeats, lambda: tuning.validate(config, data))
        test = data.phase("test")
        # Every user with everything they did: what serving all of them at once costs.
        everyone = data.everything
        catalogue = scoring.Catalogue.of(test.fit, data.features)
        resampling = scoring.Resampling(1000, 0.95, config.seed)
        n_items = data.item_ids.size

        def all_metrics(model: Any) -> dict[str, np.ndarray]:
            scores = scoring.score_group(model, test.warm, k=k, catalogue=catalogue)
            for values in scores.per_user.values():
                resampling.interval(values)
            metrics.catalogue_coverage(scores.recs, n_items)
            metrics.gini(scores.recs, n_items)
            metrics.personalisation(scores.recs)
            return scores.per_user

        rows = []
        per_user = {}
        for name in config.models.enabled:
            model = models.load_model(config.models_dir / f"{name}.skops")
            rank_all = _best(args.repeats, lambda m=model: m.recommend(everyone, k))
            metric_seconds = _best(args.repeats, lambda m=model: all_metrics(m))
            per_user[name] = all_metrics(model)
            rows.append((name, everyone.shape[0], rank_all, metric_seconds))

        def every_comparison() -> None:
            for metric in evaluate.COMPARED["warm"]:
                scoring.compare_all({m: v[metric] for m, v in per_user.items()}, resampling)

        comparing = _best(args.repeats, every_comparison)
        reading = _reading_seconds(project, args.repeats)

    print(f"MovieLens 100K, k={k}, best of {args.repeats} where repeated, {os.cpu_count()} CPUs")
    print(_show("make all end to end (MovieLens):", end_to_end) + "  target <= 30 s")
    print(_show("make all on the bundled sample:", make_sample))
    print(_show("generated test suite (sample):", suite) + "  target <= 60 s")
    print(f"load split as matrices:          {load_seconds:6.3f} s")
    print(f"tune and choose on validation:   {tuning_seconds:6.2f} s  target <= 15 s")
    print(f"every paired comparison:         {comparing:6.2f} s  target <= 2 s")
    print(f"judged known users on test:      {test.warm.size:6,}")
    print(f"read 1M-row headerless TSV:      {reading:6.2f} s  target <= 10 s")
    print(f"{'model':>10} | {'users':>5} | rank all users (s) | metrics + bootstrap, judged (s)")
    for name, users, rank_all, metric_seconds in rows:
        print(f"{name:>10} | {users:>5} | {rank_all:18.3f} | {metric_seconds:10.3f}  target <= 1 s")


if __name__ == "__main__":
    main()
