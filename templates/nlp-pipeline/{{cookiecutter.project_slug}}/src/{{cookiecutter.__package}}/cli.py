"""The command line: ``python -m <package> COMMAND``, one command per pipeline stage.

Commands print one short summary on stdout, progress and throughput on stderr, and turn
every expected failure into one ``error:`` line and exit status 1, without a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Sequence
from pathlib import Path

from .config import Config, ConfigError, load_config
from .download import DownloadError, fetch
from .evaluate import evaluate
from .formats import interval
from .ingest import IngestError
from .markers import MarkerError
from .persistence import ModelLoadError, load
from .predict import FORMATS, PredictError, format_for, predict_stream
from .report import write_report
from .saved_evaluation import load_evaluation, save_evaluation
from .split import SplitError
from .train import train

__all__ = ["main"]

_EXPECTED = (
    ConfigError,
    DownloadError,
    IngestError,
    MarkerError,
    ModelLoadError,
    PredictError,
    SplitError,
)


def _data(config: Config, args: argparse.Namespace) -> None:
    if config.download is None:
        raise DownloadError(
            f"{config.path.name} has no [download] section: nothing to download; [data] path "
            f"already names {config.data.path.name}"
        )
    fetched = fetch(config.download, force=args.force)
    state = "downloaded" if fetched.downloaded else "already present"
    print(f"{fetched.path} {state}, sha256 {fetched.sha256} (verified)")


def _train(config: Config, args: argparse.Namespace) -> None:
    result = train(config)
    split = result.prepared.frame["split"].value_counts()
    items = config.dataset.items
    model = result.model
    decision = (
        f"threshold {model.threshold:.3f} chosen on {split.get('validation', 0):,} validation "
        f"{items}"
        if model.threshold is not None
        else "each text given its class of lowest expected cost"
    )
    folds = result.tuning.folds
    how = f"tuned by {folds}-fold cross-validation" if folds else "fixed"
    recalibrated = "recalibrated" if result.calibration.applied else "not recalibrated"
    print(
        f"trained {config.model.kind} on {split.get('train', 0):,} {items} in "
        f"{len(model.classes)} classes, C {result.tuning.chosen:g} ({how}), {recalibrated}; "
        f"{decision}; saved to {config.models_dir}"
    )


def _evaluate(config: Config, args: argparse.Namespace) -> None:
    evaluation = evaluate(config)
    save_evaluation(config, evaluation)
    metrics = evaluation.metrics
    test = metrics["test"]
    print(
        f"test set: {test['texts']:,} {config.dataset.items}, macro-F1 "
        f"{interval(test['macro']['f1'])}, micro-F1 {interval(test['micro_f1'])}; "
        f"{metrics['headline']['items'][0]['text']}"
    )


def _report(config: Config, args: argparse.Namespace) -> None:
    # What `evaluate` saved, unless the model or config.toml changed since (saved_evaluation).
    updated = write_report(config, load_evaluation(config) or evaluate(config))
    names = ", ".join(str(path.relative_to(config.root)) for path in updated) or "no document"
    print(f"wrote {config.reports_dir / 'metrics.json'} and figures; updated {names}")


def _run(config: Config, args: argparse.Namespace) -> None:
    _train(config, args)
    _report(config, args)


def _predict(config: Config, args: argparse.Namespace) -> None:
    model = load(config.models_dir)
    name = args.input or "-"
    fmt = args.format or ("text" if name == "-" else format_for(name))
    with contextlib.ExitStack() as stack:
        source = (
            sys.stdin
            if name == "-"
            else stack.enter_context(Path(name).open(encoding="utf-8", newline=""))
        )
        out = (
            sys.stdout
            if args.output in (None, "-")
            else stack.enter_context(Path(args.output).open("w", encoding="utf-8", newline=""))
        )
        stats = predict_stream(
            model,
            source,
            out,
            fmt=fmt,
            text_columns=args.text_column or config.data.text_columns,
            batch_size=args.batch_size,
        )
    shares = ", ".join(f"{name} {count:,}" for name, count in stats.per_class.items())
    noun = config.dataset.item if stats.texts == 1 else config.dataset.items
    print(
        f"classified {stats.texts:,} {noun}{f' ({shares})' if shares else ''} in "
        f"{stats.seconds:.2f} s: "
        f"{stats.per_second:,.0f} per second",
        file=sys.stderr,
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=f"python -m {__package__}",
        description="Text classification pipeline: data, train, evaluate, report, predict.",
    )
    parser.add_argument(
        "--config",
        type=Path,
        default=Path("config.toml"),
        help="configuration file (default: config.toml)",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    data = commands.add_parser(
        "data", help="download the public corpus into data/raw/ and verify it"
    )
    data.add_argument("--force", action="store_true", help="download again even if cached")
    data.set_defaults(handler=_data)
    for name, handler, text in (
        ("train", _train, "ingest, normalise, de-duplicate, split, fit, choose the threshold"),
        ("evaluate", _evaluate, "score the saved model on the test set and print a summary"),
        ("report", _report, "write metrics.json, figures and the README/model card blocks"),
        ("run", _run, "train, then report: the whole pipeline"),
    ):
        commands.add_parser(name, help=text).set_defaults(handler=handler)
    predict = commands.add_parser("predict", help="classify a CSV/JSONL file or stdin, streaming")
    predict.add_argument("input", nargs="?", help="input file; '-' or nothing reads stdin")
    predict.add_argument("--output", "-o", help="output file (default: stdout)")
    predict.add_argument(
        "--format", choices=FORMATS, help="input format (default: from the file name; stdin: text)"
    )
    predict.add_argument(
        "--text-column",
        action="append",
        help="field holding the text; repeat to join several (default: [data] text_columns)",
    )
    predict.add_argument(
        "--batch-size", type=int, default=4096, help="texts per batch (default: 4096)"
    )
    predict.set_defaults(handler=_predict)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; return the process exit status."""
    args = _parser().parse_args(argv)
    try:
        config = load_config(args.config)
        args.handler(config, args)
    except _EXPECTED as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    except OSError as err:
        print(f"error: {err.strerror or err}: {err.filename or ''}".rstrip(": "), file=sys.stderr)
        return 1
    return 0
