"""Scale benchmark (issue 18): each template's stages on synthetic data of realistic shape, by size.

For each template: generate a project with the tool (``portfolio new T --no-input``) per size,
set the first one up once with its own ``make setup`` (or use ``--python``), point its config
at the generated data, and run its stages as separate ``make`` processes, each timed and its
peak memory measured (see scale_stage.py for how and why), each with a hard timeout and a
memory ceiling so a run that would outgrow the machine is reported as "killed at X GiB".

Writes OUT/results.md (the tables), OUT/results.json (the raw numbers), OUT/logs/ (each stage's
output) and OUT/projects/ (the projects, to inspect their reports). The data is generated once
into --data-dir (default OUT/data) and reused by later runs that name the same folder, so a
before and an after run read the same bytes (their sha256 is in the JSON).

    python benchmarks/bench_scale.py OUT                    # the issue's sizes (~30 min, 16 GiB)
    python benchmarks/bench_scale.py OUT --small            # 5k rows, 5k texts, 50k interactions
    python benchmarks/bench_scale.py OUT --checkout ../before --data-dir DATA --label before

See benchmarks/README.md for the full before/after commands.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import scale_data as data
import tomlkit
import yaml
from scale_stage import OK, StageRun, run_stage, tail

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.owner import owner_environment  # noqa: E402

GiB = 2**30
# The stages each template's Makefile offers, in order. nlp-pipeline's `make data` downloads
# the public corpus, which the generated data replaces, so its pipeline starts at train.
STAGES = {
    "classifier-api": ("data", "train", "evaluate", "report"),
    "nlp-pipeline": ("train", "evaluate", "report"),
    "recommender": ("prepare", "train", "evaluate", "report"),
}
ISSUE_SIZES = {
    "classifier-api": (100_000, 1_000_000),
    "nlp-pipeline": (100_000, 500_000),
    "recommender": (1_000_000, 10_000_000),
}
SMALL_SIZES = {"classifier-api": (5_000,), "nlp-pipeline": (5_000,), "recommender": (50_000,)}
UNITS = {"classifier-api": "rows", "nlp-pipeline": "texts", "recommender": "interactions"}
# Left for the rest of the machine when the ceiling is lowered to fit the memory available.
HEADROOM = 2 * GiB


# --- pointing each template's config at the data: one function per template ------------------
# Only the keys that say where the data is and what its columns and labels mean change;
# everything else keeps the defaults an owner would keep. Adjust these when a template's
# config format moves (a key that is gone fails the run with a line naming the function).
# TOML is edited with tomlkit (installed with hatchling, in the test extras), which keeps the
# comments and layout; the standard library reads TOML but cannot write it.


def configure_classifier_api(project: Path, dataset: data.Dataset) -> None:
    """Point params.yaml at the loan applications."""
    path = project / "params.yaml"
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    config["data"].update(source="file", path=str(dataset.files["table"].path))
    config["data"]["csv"].update(header=True, column_names=[], missing_values=[])
    config.update(
        target=data.TABLE_TARGET,
        positive_label=data.TABLE_POSITIVE,
        positive_name="defaulted loans",
        negative_name="repaid loans",
        case_name="applications",
        drop_columns=[data.TABLE_ID],
        categorical_columns=list(data.TABLE_CATEGORICAL),
        subgroup_columns=list(data.TABLE_SUBGROUPS),
    )
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")


def configure_nlp_pipeline(project: Path, dataset: data.Dataset) -> None:
    """Point config.toml at the labelled messages; every label is its own class."""
    labels = list(dataset.facts["labels"])
    path = project / "config.toml"
    config = tomlkit.parse(path.read_text(encoding="utf-8"))
    config["data"].update(
        path=str(dataset.files["texts"].path),
        format="delimited",
        delimiter="\t",
        header=True,
        columns=[],
        text_columns=["text"],
        label_column="label",
        encoding="utf-8",
        quoting="none",
    )
    config["labels"].update(drop=[], map={label: label for label in labels})
    if len(labels) == 2:
        config["labels"].update(positive=labels[0], action="escalated at once")
    else:
        # Three or more classes take one price per error instead of a positive class.
        for key in ("positive", "action"):
            config["labels"].pop(key, None)
        for key in ("false_positive", "false_negative"):
            config["costs"].pop(key, None)
        config["costs"]["error"] = 1.0
    path.write_text(tomlkit.dumps(config), encoding="utf-8")


def configure_recommender(project: Path, dataset: data.Dataset) -> None:
    """Point config.toml at the interactions and the items' metadata."""
    ratings = dataset.facts["ratings"]
    path = project / "config.toml"
    config = tomlkit.parse(path.read_text(encoding="utf-8"))
    csv = {"delimiter": ",", "header": True, "encoding": "utf-8"}
    config["data"]["source"] = "file"
    interactions = config["data"]["interactions"]
    interactions.update(path=str(dataset.files["interactions"].path), **csv)
    interactions["columns"].update(
        user="user_id",
        item="item_id",
        rating="rating" if ratings else "",
        timestamp="timestamp",
    )
    items = config["data"]["items"]
    items.update(path=str(dataset.files["items"].path), **csv)
    items["columns"].update(
        item="item_id", title="title", categories="genres", category_separator="|", year="year"
    )
    config["names"].update(user="user", item="item", interacted="rated" if ratings else "chose")
    path.write_text(tomlkit.dumps(config), encoding="utf-8")


CONFIGURE: dict[str, Callable[[Path, data.Dataset], None]] = {
    "classifier-api": configure_classifier_api,
    "nlp-pipeline": configure_nlp_pipeline,
    "recommender": configure_recommender,
}


# --- running ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    """What every run shares: where things go, which tool and interpreter, the limits."""

    out: Path
    data_dir: Path
    checkout: Path
    python: Path | None
    timeout: float
    memory_limit: int
    make_all: bool
    seed: int
    text_classes: int
    ratings: bool


@dataclass
class Run:
    """One template at one size: its project, data and stages."""

    template: str
    size: int
    project: Path
    dataset: dict[str, Any]
    status: str = OK
    reason: str = ""
    setup: StageRun | None = None
    stages: list[StageRun] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        """Wall time of the stages (set-up excluded: an owner pays it once, not per run)."""
        return sum(stage.seconds for stage in self.stages)

    @property
    def peak_bytes(self) -> int:
        """The largest peak of any stage."""
        return max((stage.peak_bytes for stage in self.stages), default=0)


def _log(message: str) -> None:
    print(f"{datetime.now():%H:%M:%S} {message}", flush=True)


def _tool_command(settings: Settings) -> tuple[list[str], dict[str, str]]:
    """Return how to run the checkout's ``portfolio`` (its own templates) with this interpreter."""
    env = dict(os.environ, PYTHONPATH=str(settings.checkout / "src"))
    return [sys.executable, "-c", "from portfolio.cli import main; main()"], env


def generate_project(settings: Settings, template: str, size: int) -> Path:
    """Create the project with ``portfolio new`` as a user does; fail with the tool's output."""
    slug = f"{template}-{_count(size).lower().replace('.', '-')}"
    command, env = _tool_command(settings)
    parent = settings.out / "projects"
    parent.mkdir(parents=True, exist_ok=True)
    made = subprocess.run(
        [*command, "new", template, "--no-input", "--no-git", "-o", str(parent)]
        + ["--set", f"project_slug={slug}"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if made.returncode != 0:
        raise SystemExit(f"portfolio new {template} failed:\n{made.stdout}{made.stderr}")
    return parent / slug


def _stage_environment() -> dict[str, str]:
    """Return the owner's environment, writing bytecode as an owner's Python does.

    This machine's shell sets PYTHONDONTWRITEBYTECODE, which an owner's does not: with it,
    every stage recompiled its imports (9.6 s of CPU for the nlp report's, 3.4 s from
    bytecode). Without it the first stage compiles them once and later stages reuse them.
    """
    env = owner_environment()
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def _stage(settings: Settings, run: Run, name: str, command: list[str]) -> StageRun:
    log = settings.out / "logs" / f"{run.project.name}-{name}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    _log(f"{run.project.name}: make {name} (log: {log})")
    result = run_stage(
        name,
        command,
        cwd=run.project,
        env=_stage_environment(),
        log=log,
        timeout=settings.timeout,
        memory_limit=settings.memory_limit,
    )
    _log(f"{run.project.name}: make {name}: {_cell(result)}")
    if not result.ok:
        print(tail(log), flush=True)
    return result


def bench_template(settings: Settings, template: str, sizes: Sequence[int]) -> Iterator[Run]:
    """Run the template at each size (one set-up, then its stages), yielding each run when done."""
    python = settings.python
    stages = ("all",) if settings.make_all else STAGES[template]
    for size in sizes:
        dataset = prepare_dataset(settings, template, size)
        run = Run(template, size, generate_project(settings, template, size), _described(dataset))
        if python is None:
            run.setup = _stage(settings, run, "setup", ["make", "setup"])
            if not run.setup.ok:
                run.status, run.reason = run.setup.status, "make setup did not finish"
                yield run
                return
            python = run.project / ".venv" / "bin" / "python"
        try:
            CONFIGURE[template](run.project, dataset)
        except (KeyError, TypeError, ValueError, AttributeError) as err:
            run.status = "config"
            run.reason = (
                f"the config writer no longer fits the template ({err!r}): adjust "
                f"configure_{template.replace('-', '_')} in benchmarks/bench_scale.py"
            )
            _log(f"{run.project.name}: {run.reason}")
            yield run
            continue
        for name in stages:
            # The same interpreter for every size, so one set-up serves them all; each
            # Makefile puts the project's own src/ first on the path.
            result = _stage(settings, run, name, ["make", name, f"PYTHON={python}"])
            run.stages.append(result)
            if not result.ok:
                run.status, run.reason = result.status, f"make {name}"
                break
        yield run


def prepare_dataset(settings: Settings, template: str, size: int) -> data.Dataset:
    """Return the dataset for this run, generating it unless the data folder has it already."""
    started = time.perf_counter()
    dataset, reused = data.load_or_write(
        settings.data_dir,
        template,
        size=size,
        seed=settings.seed,
        text_classes=settings.text_classes,
        ratings=settings.ratings,
    )
    how = "reused (sha256 checked)" if reused else "generated"
    _log(f"{template} {_count(size)}: data {how} in {time.perf_counter() - started:.1f} s")
    return dataset


def _described(dataset: data.Dataset) -> dict[str, Any]:
    return {
        "files": {
            role: {"path": str(f.path), "rows": f.rows, "bytes": f.bytes, "sha256": f.sha256}
            for role, f in dataset.files.items()
        },
        "facts": dataset.facts,
        "seed": dataset.seed,
        "generator_version": data.GENERATOR_VERSION,
    }


# --- reporting -------------------------------------------------------------------------------


def _count(n: int) -> str:
    for unit, scale in (("M", 1_000_000), ("k", 1_000)):
        if n >= scale and n % (scale // 10) == 0:
            return f"{n / scale:g}{unit}"
    return f"{n:,}"


def _duration(seconds: float) -> str:
    if seconds < 10:
        return f"{seconds:.1f} s"
    if seconds < 60:
        return f"{seconds:.0f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s" if rest else f"{minutes} min"


def _memory(size: int) -> str:
    return f"{size / GiB:.2f} GiB" if size < GiB else f"{size / GiB:.1f} GiB"


def _cell(stage: StageRun, *, cpu: bool = False) -> str:
    if stage.status == OK:
        # CPU time too: on a shared machine other work stretches the wall time, not the CPU.
        used = f" (CPU {_duration(stage.cpu_seconds)})" if cpu else ""
        return f"{_duration(stage.seconds)}{used} · {_memory(stage.peak_bytes)}"
    if stage.status == "killed":
        return f"**killed at {_memory(stage.peak_group_bytes)}** after {_duration(stage.seconds)}"
    if stage.status == "timed out":
        return f"**timed out** at {_duration(stage.seconds)} ({_memory(stage.peak_bytes)})"
    return f"**failed** (exit {stage.exit_code}) after {_duration(stage.seconds)}"


def _size_label(run: Run) -> str:
    label = f"{_count(run.size)} {UNITS[run.template]}"
    if run.template == "recommender":
        facts = run.dataset["facts"]
        label += f" ({_count(facts['users'])} users, {_count(facts['items'])} items)"
    return label


def _where(run: Run) -> str:
    """Name the stage that took the most time and the one that took the most memory."""
    if run.status != OK:
        return run.reason
    if len(run.stages) < 2:
        return ""
    slow = max(run.stages, key=lambda s: s.seconds)
    big = max(run.stages, key=lambda s: s.peak_bytes)
    share = slow.seconds / run.seconds if run.seconds else 0
    return f"{slow.stage} {_duration(slow.seconds)} ({share:.0%}); peak in {big.stage}"


def markdown(runs: Sequence[Run], settings: Settings, header: Mapping[str, Any]) -> str:
    """Return the summary table in the issue's shape, then one table of stages per template."""
    lines = [
        f"# Scale benchmark: {header['label']}{'' if header['complete'] else ' (incomplete)'}",
        "",
        f"{header['tool']['commit']} ({header['tool']['checkout']}), {header['started_at']}; "
        f"{header['machine']['cpus']} cores, {_memory(header['machine']['memory_bytes'])}; "
        f"load average {header['machine']['load_average_at_start'][0]:.1f} at the start, "
        f"{header['load_average_at_end'][0]:.1f} at the end; per stage: wall time (CPU time) · "
        f"peak memory; timeout {_duration(settings.timeout)}, "
        f"ceiling {_memory(settings.memory_limit)}.",
        "",
        "| project | size | stages total | peak memory | where the time or memory goes |",
        "|---|---|---|---|---|",
    ]
    for run in runs:
        failed = next((s for s in run.stages if not s.ok), None)
        if run.status == OK:
            total, peak = _duration(run.seconds), _memory(run.peak_bytes)
        else:
            total = _cell(failed) if failed else f"**{run.status}**"
            peak = _memory(run.peak_bytes) if run.stages else ""
        lines.append(f"| {run.template} | {_size_label(run)} | {total} | {peak} | {_where(run)} |")
    for template in dict.fromkeys(run.template for run in runs):
        names = ("all",) if settings.make_all else STAGES[template]
        lines += ["", f"## {template}", ""]
        lines.append(f"| size | set-up | {' | '.join(f'make {n}' for n in names)} | total |")
        lines.append("|---" * (len(names) + 3) + "|")
        for run in (r for r in runs if r.template == template):
            done = {stage.stage: _cell(stage, cpu=True) for stage in run.stages}
            cells = [done.get(name, "—") for name in names]
            setup = _duration(run.setup.seconds) if run.setup else "—"
            total = _duration(run.seconds) if run.status == OK else run.status
            lines.append(f"| {_size_label(run)} | {setup} | {' | '.join(cells)} | {total} |")
    lines += [
        "",
        "Peak memory: the larger of the kernel's maximum resident set of the largest process "
        "(exact) and the summed resident set of the stage's process group, sampled every "
        "0.1 s. Stages total excludes set-up and data generation.",
    ]
    return "\n".join(lines) + "\n"


def _header(settings: Settings, label: str) -> dict[str, Any]:
    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", "-C", str(settings.checkout), *args],
            capture_output=True,
            text=True,
            check=False,
        )
        return done.stdout.strip()

    commit = git("rev-parse", "HEAD") or "not a git checkout"
    if git("status", "--porcelain"):
        commit += " + uncommitted changes"
    return {
        "label": label,
        "complete": False,
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "tool": {"checkout": str(settings.checkout), "commit": commit},
        "machine": {
            "cpus": os.cpu_count(),
            "memory_bytes": _meminfo("MemTotal"),
            "available_bytes_at_start": _meminfo("MemAvailable"),
            "load_average_at_start": os.getloadavg(),
            "python": platform.python_version(),
        },
    }


def _meminfo(key: str) -> int:
    for line in Path("/proc/meminfo").read_text().splitlines():
        name, _, value = line.partition(":")
        if name == key:
            return int(value.split()[0]) * 1024
    raise KeyError(key)


def _jsonable(value: object) -> object:
    if isinstance(value, Path):
        return str(value)
    raise TypeError(type(value))


def write_results(settings: Settings, header: dict[str, Any], runs: Sequence[Run]) -> str:
    """Write results.md and results.json for the runs so far; return the Markdown."""
    header["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    header["load_average_at_end"] = os.getloadavg()
    report = markdown(runs, settings, header)
    (settings.out / "results.md").write_text(report, encoding="utf-8")
    raw = {**header, "settings": asdict(settings), "runs": [_run_json(run) for run in runs]}
    text = json.dumps(raw, indent=2, default=_jsonable) + "\n"
    (settings.out / "results.json").write_text(text, encoding="utf-8")
    return report


def _run_json(run: Run) -> dict[str, Any]:
    def stage(result: StageRun) -> dict[str, Any]:
        return {**asdict(result), "peak_bytes": result.peak_bytes}

    return {
        "template": run.template,
        "size": run.size,
        "project": run.project,
        "dataset": run.dataset,
        "status": run.status,
        "reason": run.reason,
        "setup": stage(run.setup) if run.setup else None,
        "stages": [stage(result) for result in run.stages],
        "seconds": run.seconds,
        "peak_bytes": run.peak_bytes,
    }


def self_check() -> dict[str, bool]:
    """Generate each dataset twice at a tiny size (several chunks each) and compare the bytes."""
    same = {}
    with tempfile.TemporaryDirectory() as tmp:
        for template, size in (("classifier-api", 3_000), ("nlp-pipeline", 3_000)) + (
            ("recommender", 20_000),
        ):
            digests = []
            for attempt in ("a", "b"):
                folder = Path(tmp) / f"{template}-{attempt}"
                dataset, _ = data.load_or_write(
                    folder, template, size=size, seed=7, chunk_rows=size // 3
                )
                digests.append(sorted(f.sha256 for f in dataset.files.values()))
            same[template] = digests[0] == digests[1]
    return same


# --- the command line ------------------------------------------------------------------------


def _sizes(text: str) -> tuple[int, ...]:
    scale = {"k": 1_000, "m": 1_000_000}
    try:
        return tuple(
            round(float(part[:-1]) * scale[part[-1].lower()])
            if part[-1].lower() in scale
            else int(part)
            for part in text.split(",")
        )
    except (ValueError, IndexError) as err:
        raise argparse.ArgumentTypeError(f"{text!r}: give sizes like 5k,100k,1M") from err


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("out", type=Path, help="new folder for results, logs and projects")
    parser.add_argument("--templates", nargs="+", choices=list(STAGES), default=list(STAGES))
    parser.add_argument("--small", action="store_true", help="5k rows, 5k texts, 50k interactions")
    for template, option in (
        ("classifier-api", "--rows"),
        ("nlp-pipeline", "--texts"),
        ("recommender", "--interactions"),
    ):
        parser.add_argument(
            option,
            type=_sizes,
            help=f"{template} sizes, comma-separated (default: "
            f"{','.join(_count(n) for n in ISSUE_SIZES[template])})",
        )
    parser.add_argument("--data-dir", type=Path, help="cache of generated data (default OUT/data)")
    parser.add_argument(
        "--checkout",
        type=Path,
        default=REPO,
        help="portfolio source checkout whose tool and templates to benchmark (default: this one)",
    )
    parser.add_argument(
        "--python",
        type=Path,
        help="run the stages with this interpreter instead of one `make setup` per template",
    )
    parser.add_argument("--make-all", action="store_true", help="time `make all` as one stage")
    parser.add_argument("--timeout", type=float, default=1200, help="seconds per stage (1200)")
    parser.add_argument(
        "--memory-limit",
        type=float,
        default=16,
        help="GiB per stage (16), lowered to what the machine has free at the start",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the generated data (0)")
    parser.add_argument(
        "--text-classes",
        type=int,
        choices=(2, 4),
        default=2,
        help="classes in the nlp data (2: 20%% urgent; 4: unequal shares)",
    )
    parser.add_argument("--no-ratings", action="store_true", help="implicit-feedback interactions")
    parser.add_argument("--label", default="", help="name of this run in the results (e.g. before)")
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    """Parse the options, run every template at every size, write and print the results."""
    args = _parser().parse_args(argv)
    out = args.out.resolve()
    if (out / "results.json").exists() or (out / "projects").exists():
        raise SystemExit(
            f"{out} holds an earlier run: give a new folder, so nothing is overwritten"
        )
    checkout = args.checkout.resolve()
    if not (checkout / "src" / "portfolio").is_dir() or not (checkout / "templates").is_dir():
        raise SystemExit(f"{checkout} is not a portfolio checkout (no src/portfolio, templates/)")
    limit = int(args.memory_limit * GiB)
    room = _meminfo("MemAvailable") - HEADROOM
    if room < limit:
        print(f"only {_memory(room + HEADROOM)} free: memory ceiling lowered to {_memory(room)}")
        limit = room
    settings = Settings(
        out=out,
        data_dir=(args.data_dir or out / "data").resolve(),
        checkout=checkout,
        # absolute(), not resolve(): a venv's python is a symlink to the base interpreter, and
        # following it would leave the venv's packages behind.
        python=args.python.absolute() if args.python else None,
        timeout=args.timeout,
        memory_limit=limit,
        make_all=args.make_all,
        seed=args.seed,
        text_classes=args.text_classes,
        ratings=not args.no_ratings,
    )
    chosen = {
        "classifier-api": args.rows,
        "nlp-pipeline": args.texts,
        "recommender": args.interactions,
    }
    defaults = SMALL_SIZES if args.small else ISSUE_SIZES
    out.mkdir(parents=True, exist_ok=True)
    # This machine has no swap: should the kernel's OOM killer ever act before the ceiling
    # does, make it take a process of this benchmark (children inherit the score), not others'.
    try:
        Path("/proc/self/oom_score_adj").write_text("1000")
    except OSError as err:
        print(f"could not raise this process's OOM score ({err}); the ceiling still applies")
    named = any(chosen.values())
    label = args.label or ("chosen sizes" if named else "small" if args.small else "issue sizes")
    header = _header(settings, label)
    runs: list[Run] = []
    try:
        for template in args.templates:
            for run in bench_template(settings, template, chosen[template] or defaults[template]):
                runs.append(run)
                # After every run: a long benchmark stopped half-way keeps what it measured.
                write_results(settings, header, runs)
    except data.DataError as err:
        raise SystemExit(str(err)) from err
    header["self_check_deterministic"] = self_check()
    header["complete"] = True
    report = write_results(settings, header, runs)
    print(report)
    print(f"determinism self-check: {header['self_check_deterministic']}")
    print(f"written: {out / 'results.md'}, {out / 'results.json'}")


if __name__ == "__main__":
    main()
