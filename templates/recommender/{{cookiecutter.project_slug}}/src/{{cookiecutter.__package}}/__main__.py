"""Command line: ``python -m {{ cookiecutter.__package }} STAGE``, one sub-command per pipeline stage."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from {{ cookiecutter.__package }}.config import Config, ConfigError, load_config

__all__ = ["STAGES", "main"]

STAGES = ("prepare", "train", "evaluate", "report")
STAGE_HELP = (
    "read the configured data and split it in time",
    "choose on validation, then fit and save every enabled model",
    "judge the models on the test period: reports/metrics.json",
    "figures, README, MODEL_CARD and docs/tradeoffs.md",
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m {{ cookiecutter.__package }}", description=__doc__)
    parser.add_argument("--config", type=Path, default=Path("config.toml"), help="config file")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("all", help="prepare, train, evaluate and report in one process")
    commands.add_parser("download", help="download MovieLens 100K into data/raw (sha256-checked)")
    for stage, text in zip(STAGES, STAGE_HELP, strict=True):
        commands.add_parser(stage, help=text)
    recommend = commands.add_parser("recommend", help="top-k items for one user")
    recommend.add_argument("user_id")
    recommend.add_argument("-k", type=int, default=None, help="list length (default: config k)")
    recommend.add_argument(
        "--seen", nargs="*", default=(), help="item ids an unknown user has liked (cold start)"
    )
    return parser


def _run_stage(stage: str, config: Config) -> None:
    """Run one pipeline stage and print what it produced (imports stay inside, for speed)."""
    if stage == "prepare":
        from {{ cookiecutter.__package }}.prepare import prepare

        summary = prepare(config)
        phases = summary["phases"]
        print(
            f"prepare: {summary['interactions']:,} interactions, {summary['users']:,} users, "
            f"{summary['items']:,} items, {summary['strategy']} split; users judged on "
            f"validation {phases['validation']['warm_users']:,} known + "
            f"{phases['validation']['cold_start_users']:,} cold-start, on test "
            f"{phases['test']['warm_users']:,} + {phases['test']['cold_start_users']:,}"
        )
    elif stage == "train":
        from {{ cookiecutter.__package }}.train import train

        training = train(config)
        validation = training["validation"]
        for name, stats in training["models"].items():
            chosen = ", ".join(
                f"{key} {value:g}" for key, value in stats["hyperparameters"].items()
            )
            ndcg = validation["models"][name]["ndcg"]["estimate"]
            print(
                f"train: {name:>10} {chosen or 'nothing to tune'}, validation "
                f"NDCG@{validation['k']} {ndcg:.3f}; fitted in "
                f"{stats['fit_seconds'] * 1000:,.1f} ms, "
                f"{stats['size_bytes']:,} bytes"
            )
        selection = validation["selection"]
        print(
            f"train: serving {selection['model']['name']} to known users and "
            f"{selection['cold_start_model']['name']} to cold-start users"
        )
    elif stage == "evaluate":
        from {{ cookiecutter.__package }}.evaluate import evaluate

        metrics = evaluate(config)
        for name, result in metrics["models"].items():
            ndcg = result["accuracy"]["ndcg"]
            print(
                f"evaluate: {name:>10} NDCG@{metrics['k']} {ndcg['estimate']:.3f} "
                f"[{ndcg['low']:.3f}, {ndcg['high']:.3f}]"
            )
    else:
        from {{ cookiecutter.__package }}.report import report

        for path in report(config):
            print(f"report: wrote {path.relative_to(config.root)}")


def main(argv: list[str] | None = None) -> int:
    """Run one stage; return the process exit code (1 with a one-line message on known errors)."""
    args = _parser().parse_args(argv)
    try:
        config = load_config(args.config)
        if args.command == "download":
            from {{ cookiecutter.__package }}.download import fetch_movielens

            folder = fetch_movielens(config.root / "data" / "raw")
            print(f"MovieLens 100K ready in {folder} (sha256 verified)")
            print('Set data.source = "movielens" in config.toml, then run `make all`.')
        elif args.command == "recommend":
            from {{ cookiecutter.__package }}.recommend import recommend_for

            print(recommend_for(config, args.user_id, k=args.k, seen=args.seen).to_text())
        else:
            stages = STAGES if args.command == "all" else (args.command,)
            for stage in stages:
                _run_stage(stage, config)
    except (ConfigError, FileNotFoundError, ValueError, RuntimeError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
