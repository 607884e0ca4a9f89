"""Benchmark the classifier-api template: pipeline time, test-suite time and API throughput.

Run by hand from the repository root (numbers go into the issue note, never into tests):

    python benchmarks/bench_classifier_api.py [--repeat 3] [--duration 5] [--connections 8]

1. ``make all`` on the offline default (the bundled sample), median of ``--repeat`` runs.
2. The generated project's own test suite (``pytest -q``), median of ``--repeat`` runs.
3. Single-record ``POST /predict`` against a bare FastAPI endpoint that returns a constant,
   served the same way (uvicorn, one worker, same options), both up at once on loopback and
   measured in alternating rounds so machine noise hits both alike. The load generator is a
   small asyncio HTTP/1.1 keep-alive client in this process; it reports requests per second
   and the p50 and p99 latency over all rounds.
4. The evaluate stage's paired statistics (``policies.analyse_policies``, ``subgroups.
   subgroup_report`` with two subgroup columns, ``calibration.choose_calibration``) at 1,000
   resamples on synthetic test sets of ``--stats-sizes`` cases (validation the same size).
5. With ``--adult PATH`` (UCI Adult's ``adult.data``), ``make all`` on it once.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO))

from portfolio.generate import new_project  # noqa: E402
from tests.test_classifier_api_real_data import ADULT_COLUMNS  # noqa: E402

BARE_APP = textwrap.dedent(
    """
    from fastapi import FastAPI

    app = FastAPI()


    @app.post("/predict")
    async def predict() -> dict:
        return {"probability": 0.5, "decision": True, "threshold": 0.5, "model_version": "bare"}
    """
)


def _env(project: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONPATH"] = str(project / "src")
    return env


def _timed(args: list[str], cwd: Path, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(args, cwd=cwd, env=_env(cwd), check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return times


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def _server(app: str, cwd: Path, extra: list[str]) -> Iterator[int]:
    port = _free_port()
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        *extra,
        app,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "1",
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    process = subprocess.Popen(command, cwd=cwd, env=_env(cwd))
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError(f"server {app} did not start") from None
                time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


async def _connection(port: int, request: bytes, stop: float, latencies: list[float]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.perf_counter() < stop:
            start = time.perf_counter()
            writer.write(request)
            await writer.drain()
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            length = next(
                int(line.split(b":", 1)[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length:")
            )
            await reader.readexactly(length)
            if status != 200:
                raise RuntimeError(f"status {status}")
            latencies.append(time.perf_counter() - start)
    finally:
        writer.close()


async def _load(port: int, body: bytes, seconds: float, connections: int) -> list[float]:
    request = (
        b"POST /predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body
    )
    latencies: list[float] = []
    stop = time.perf_counter() + seconds
    await asyncio.gather(*(_connection(port, request, stop, latencies) for _ in range(connections)))
    return latencies


def _summary(latencies: list[float], seconds: float) -> str:
    ordered = sorted(latencies)
    p50 = ordered[len(ordered) // 2] * 1000
    p99 = ordered[int(len(ordered) * 0.99)] * 1000
    return f"{len(ordered) / seconds:8.0f} req/s   p50 {p50:6.2f} ms   p99 {p99:6.2f} ms"


STATS_SCRIPT = textwrap.dedent(
    """
    import json, sys, time
    import numpy as np, pandas as pd
    from {package}.calibration import choose_calibration
    from {package}.costs import ErrorCosts
    from {package}.policies import Bootstrap, Names, Pricing, ScoredCases, analyse_policies
    from {package}.subgroups import subgroup_report

    n = int(sys.argv[1])
    rng = np.random.default_rng(0)

    def cases():
        labels = rng.random(n) < 0.25
        scores = np.clip(np.where(labels, 0.65, 0.3) + rng.normal(0, 0.2, n), 0, 1)
        return ScoredCases.of(labels.astype(int), scores)

    validation, test = cases(), cases()
    groups = pd.DataFrame({{
        "a": rng.choice(["x", "y"], n),
        "b": rng.choice(["p", "q", "r", "s", "t"], n, p=[0.6, 0.2, 0.1, 0.07, 0.03]),
    }})
    pricing = Pricing(ErrorCosts(100, 300), 10_000, "EUR", "month")
    timings = {{}}
    start = time.perf_counter()
    analyse_policies(validation, test, threshold=0.4, pricing=pricing,
                     names=Names("p", "n", "cases"), bootstrap=Bootstrap())
    timings["policies"] = time.perf_counter() - start
    start = time.perf_counter()
    subgroup_report(test.labels, test.scores, 0.4, groups, bootstrap=Bootstrap())
    timings["subgroups"] = time.perf_counter() - start
    start = time.perf_counter()
    choose_calibration(validation.labels, validation.scores)
    timings["calibration"] = time.perf_counter() - start
    print(json.dumps(timings))
    """
)


def _adult_config(project: Path, adult: Path) -> None:
    import yaml

    path = project / "params.yaml"
    values = yaml.safe_load(path.read_text(encoding="utf-8"))
    values["data"].update(
        path=str(adult),
        csv={"header": False, "column_names": ADULT_COLUMNS, "missing_values": ["?"]},
    )
    values.update(
        target="income",
        positive_label=">50K",
        drop_columns=["fnlwgt"],
        categorical_columns=[],
        subgroup_columns=["sex", "race"],
    )
    path.write_text(yaml.safe_dump(values, sort_keys=False), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--stats-sizes", default="1000,10000,50000")
    parser.add_argument("--adult", type=Path, default=None, help="UCI Adult's adult.data")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-classifier-") as tmp:
        root = Path(tmp)
        project = new_project(
            "classifier-api", output_dir=root, given={}, ask=None, init_git=False
        ).path
        package = project.name.replace("-", "_")

        make = _timed(["make", "all", f"PYTHON={sys.executable}"], project, args.repeat)
        print(f"make all (offline default): median {statistics.median(make):.1f} s  {make}")
        tests = _timed(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], project, args.repeat
        )
        print(f"generated test suite:       median {statistics.median(tests):.1f} s  {tests}")

        meta = json.loads((project / "models" / "model.json").read_text(encoding="utf-8"))
        record = {f["name"]: f["example"] for f in meta["schema"]["features"]}
        body = json.dumps(record).encode()
        (root / "bare_app.py").write_text(BARE_APP, encoding="utf-8")

        model_app = (f"{package}.api:create_app", project, ["--factory"])
        bare_app = ("bare_app:app", root, [])
        with _server(*model_app) as model_port, _server(*bare_app) as bare_port:
            results: dict[str, list[float]] = {"model": [], "bare": []}
            for port in (model_port, bare_port):
                asyncio.run(_load(port, body, 1.0, args.connections))  # warm-up
            for _ in range(args.rounds):
                for name, port in (("model", model_port), ("bare", bare_port)):
                    results[name] += asyncio.run(_load(port, body, args.duration, args.connections))
        seconds = args.duration * args.rounds
        print(f"POST /predict, {args.connections} connections, {args.rounds} x {args.duration} s:")
        print(f"  model endpoint:    {_summary(results['model'], seconds)}")
        print(f"  bare constant:     {_summary(results['bare'], seconds)}")
        ratio = len(results["model"]) / len(results["bare"])
        print(f"  model / bare throughput: {ratio:.2f}")

        print("evaluate-stage statistics, 1,000 resamples (seconds):")
        script = STATS_SCRIPT.format(package=package)
        for size in (int(n) for n in args.stats_sizes.split(",")):
            result = subprocess.run(
                [sys.executable, "-c", script, str(size)],
                cwd=project,
                env=_env(project),
                check=True,
                capture_output=True,
                text=True,
            )
            timings = json.loads(result.stdout)
            shown = "  ".join(f"{k} {v:6.2f}" for k, v in timings.items())
            print(f"  {size:>7,} cases:  {shown}")

        if args.adult is not None:
            _adult_config(project, args.adult.resolve())
            adult = _timed(["make", "all", f"PYTHON={sys.executable}"], project, 1)
            print(f"make all (UCI Adult):       {adult[0]:.1f} s")


if __name__ == "__main__":
    main()
