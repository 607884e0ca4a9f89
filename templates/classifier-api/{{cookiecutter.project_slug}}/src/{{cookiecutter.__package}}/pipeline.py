"""Run every stage in one process: data -> train -> evaluate -> report (``make all``).

The stages are separate modules with their own ``make`` targets, but starting Python and
importing scikit-learn, skops and fairlearn costs seconds each time; ``make all`` pays it once.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from . import data, evaluate, report, train
from .config import Config, ConfigError, parse_args

__all__ = ["main", "run"]

log = logging.getLogger(__name__)


def run(config: Config) -> None:
    """Run the four stages in order on ``config``."""
    data.run(config)
    train.train(config)
    evaluate.evaluate(config)
    report.report(config)


def main(argv: Sequence[str] | None = None) -> None:
    """Command line entry point: ``python -m <package>.pipeline [--config params.yaml]``."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    config = parse_args(__doc__ or "", argv)
    try:
        run(config)
    except ConfigError as err:
        raise SystemExit(f"error: {err}") from err
    log.info("pipeline complete: see README.md and reports/")


if __name__ == "__main__":
    main()
