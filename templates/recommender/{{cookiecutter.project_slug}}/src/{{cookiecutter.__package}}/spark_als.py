"""Apache Spark route: MLlib's ALS trained on the prepared split, judged like every other model.

For data past what one machine trains in time. It reads the split ``prepare`` wrote, trains
``pyspark.ml.recommendation.ALS`` on what the test evaluation's models learn from (the
training and validation periods, without the withheld cold-start users), asks Spark for
each known test user's top k with everything they already did excluded, as the other
models do, and scores those lists with this project's own ``scoring.score_group``: same
users, same targets, same metric functions, same bootstrap. Spark does the work that grows
with users x items x rank (the factorisation and the top-k search); the driver reads the
split and computes the metrics from the ``users x k`` lists it collects.

Runs in local mode (``local[*]``, every core of this machine) unless ``--master`` or
``spark-submit --master`` names a cluster. Needs the optional extra (``make setup
EXTRAS=spark``) and Java 17 or newer. Cold-start users are not judged: ALS has no factors for
a user it did not train on. Its hyperparameters are the command line's, not tuned on
validation. Writes ``reports/spark-metrics.json`` and the lists to
``data/processed/spark-recommendations.parquet``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy import sparse

from {{ cookiecutter.__package }}.config import Config, ConfigError, load_config
from {{ cookiecutter.__package }}.data import Dataset, Group
from {{ cookiecutter.__package }}.metrics import (
    ACCURACY_METRICS,
    catalogue_coverage,
    gini,
    personalisation,
)
from {{ cookiecutter.__package }}.models import Recommender
from {{ cookiecutter.__package }}.prepare import load_dataset
from {{ cookiecutter.__package }}.progress import StageBar, interactive
from {{ cookiecutter.__package }}.scoring import Catalogue, Resampling, score_group

if TYPE_CHECKING:
    from pyspark.ml.recommendation import ALSModel
    from pyspark.sql import DataFrame, SparkSession

__all__ = [
    "JAVA_FIX",
    "LISTS_FILE",
    "METRICS_FILE",
    "SETUP_FIX",
    "ALSSettings",
    "SparkUnavailableError",
    "candidate_counts",
    "choose_feedback",
    "main",
    "require_spark",
    "run_spark_als",
    "training_rows",
]

SETUP_FIX = "make setup EXTRAS=spark"
JAVA_FIX = "apt install openjdk-17-jre-headless"
#: The oldest Java the newest Spark runs on (Spark 4 dropped 8 and 11).
JAVA_MINIMUM = 17
DEFAULT_MASTER = "local[*]"
METRICS_FILE = "spark-metrics.json"
LISTS_FILE = "spark-recommendations.parquet"
STAGES = ["read the split", "start Spark", "train ALS", "top k per user", "score"]
_JAVA_VERSION = re.compile(r'version "(\d+)(?:\.(\d+))?')


class SparkUnavailableError(RuntimeError):
    """pyspark or Java is missing: the message is one line naming the fix."""


@dataclass(frozen=True)
class ALSSettings:
    """Where Spark runs and what ALS learns with (``--help`` of ``make spark`` explains each)."""

    master: str | None = None
    conf: dict[str, str] = field(default_factory=dict)
    rank: int = 32
    iterations: int = 10
    regularisation: float = 0.05
    alpha: float = 10.0
    feedback: str = "auto"
    #: ALS's user and item blocks; 0: as many as Spark runs tasks at once, at most 10.
    blocks: int = 0


@contextmanager
def _pandas_3_accepted() -> Iterator[None]:
    """Silence pyspark's warning that it meets pandas 3, which it gives on import and use.

    The columns handed between pandas and Spark here are plain integers, floats and the
    lists' ids; the tool's Spark test checks the numbers that come back.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "PySpark does not yet fully", FutureWarning)
        yield


def require_spark() -> None:
    """Check that pyspark imports and that Java 17 or newer runs, before any work starts.

    Raises:
        SparkUnavailableError: either is missing, with the command that installs it.

    """
    try:
        with _pandas_3_accepted():
            import pyspark  # noqa: F401
    except ImportError as err:
        raise SparkUnavailableError(
            f"pyspark is not installed: run `{SETUP_FIX}` (the optional spark extra)"
        ) from err
    java_home = os.environ.get("JAVA_HOME")
    java = str(Path(java_home) / "bin" / "java") if java_home else shutil.which("java")
    if java is None or not Path(java).is_file():
        where = f"JAVA_HOME={java_home} has no bin/java" if java_home else "no `java` on PATH"
        raise SparkUnavailableError(
            f"Spark needs Java {JAVA_MINIMUM} or newer and there is {where}: `{JAVA_FIX}`"
        )
    # The path is the user's own Java, found above; no shell is involved.
    shown = subprocess.run(  # noqa: S603
        [java, "-version"], capture_output=True, text=True, check=False
    )
    found = _JAVA_VERSION.search(shown.stderr + shown.stdout)
    if found is None:
        return  # An unusual banner: let Spark itself judge this Java.
    major = int(found[2] or 0) if found[1] == "1" else int(found[1])
    if major < JAVA_MINIMUM:
        raise SparkUnavailableError(
            f"Spark needs Java {JAVA_MINIMUM} or newer and {java} is Java {major}: `{JAVA_FIX}`"
        )


def candidate_counts(seen: np.ndarray, k: int) -> np.ndarray:
    """How many of its best items to ask Spark for per user so that ``k`` unseen remain.

    Spark's top-n cannot exclude items, so a user with ``s`` seen items needs ``k + s``
    candidates. Rounding ``s`` up to a power of two groups the users into a few requests of
    one size each while asking for at most twice the items needed.
    """
    padded = np.where(seen > 0, 2 ** np.ceil(np.log2(np.maximum(seen, 1))), 0)
    return (k + padded).astype(np.int64)


def choose_feedback(config: Config, settings: ALSSettings) -> str:
    """Implicit unless the data has ratings and no relevance threshold turned them into likes."""
    if settings.feedback != "auto":
        return settings.feedback
    summary = json.loads((config.processed_dir / "summary.json").read_text(encoding="utf-8"))
    reading = summary["reading"]
    explicit = reading.get("explicit") and reading.get("relevance_threshold") is None
    return "explicit" if explicit else "implicit"


def training_rows(dataset: Dataset, feedback: str) -> pd.DataFrame:
    """Return what the test evaluation's models learn from, as integer ids (ALS needs them).

    The rows are those of ``dataset.phase("test").fit``: every period before the test one,
    without the withheld cold-start users.
    """
    frame = dataset.interactions
    learned = (frame["period"] != "test").to_numpy() & ~frame["withheld"].to_numpy()
    chosen = frame[learned]
    rating = chosen["rating"] if feedback == "explicit" else 1.0
    return pd.DataFrame(
        {
            "user": chosen["_row"].astype("int32").to_numpy(),
            "item": chosen["_col"].astype("int32").to_numpy(),
            "rating": np.broadcast_to(np.asarray(rating, dtype=np.float32), len(chosen)),
        }
    )


def _session(settings: ALSSettings, name: str) -> SparkSession:
    """Start (or join, under spark-submit) a Spark session with quiet progress in CI."""
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName(name)
    master = settings.master or os.environ.get("SPARK_MASTER")
    # spark-submit starts the JVM with its own --master before this code runs.
    if master is None and "PYSPARK_GATEWAY_PORT" not in os.environ:
        master = DEFAULT_MASTER
    if master is not None:
        builder = builder.master(master)
    defaults = {
        "spark.ui.showConsoleProgress": "true" if interactive() else "false",
        "spark.sql.execution.arrow.pyspark.enabled": "true",
    }
    if master is not None and master.startswith("local"):
        # 200 shuffle partitions (Spark's default for clusters) only add overhead on one machine.
        defaults["spark.sql.shuffle.partitions"] = str(max(4, 2 * (os.cpu_count() or 1)))
    for key, value in {**defaults, **settings.conf}.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def _fit(
    spark: SparkSession, rows: pd.DataFrame, settings: ALSSettings, *, seed: int, blocks: int
) -> ALSModel:
    from pyspark.ml.recommendation import ALS

    als = ALS(
        numUserBlocks=blocks,
        numItemBlocks=blocks,
        rank=settings.rank,
        maxIter=settings.iterations,
        regParam=settings.regularisation,
        alpha=settings.alpha,
        implicitPrefs=settings.feedback == "implicit",
        coldStartStrategy="drop",
        seed=seed,
        userCol="user",
        itemCol="item",
        ratingCol="rating",
    )
    return als.fit(spark.createDataFrame(rows))


def _top_k(spark: SparkSession, model: ALSModel, group: Group, k: int) -> np.ndarray:
    """Each user's ``k`` best items they have not interacted with, best first, from Spark.

    Raises:
        ValueError: a user has fewer than ``k`` unseen items that ALS has factors for.

    """
    from pyspark.sql import Window
    from pyspark.sql import functions as F  # noqa: N812 - Spark's own convention

    history = sparse.coo_matrix(group.history)
    seen = pd.DataFrame(
        {
            "user": group.users[history.row].astype("int32"),
            "item": history.col.astype("int32"),
        }
    )
    wanted = candidate_counts(group.history.getnnz(axis=1), k)
    requests: list[DataFrame] = []
    for size in np.unique(wanted):
        users = pd.DataFrame({"user": group.users[wanted == size].astype("int32")})
        top = model.recommendForUserSubset(spark.createDataFrame(users), int(size))
        requests.append(
            top.select("user", F.posexplode("recommendations").alias("position", "found")).select(
                "user", "position", F.col("found.item").alias("item")
            )
        )
    candidates = requests[0]
    for more in requests[1:]:
        candidates = candidates.unionByName(more)
    order = Window.partitionBy("user").orderBy("position")
    unseen = (
        candidates.join(spark.createDataFrame(seen), on=["user", "item"], how="left_anti")
        .withColumn("rank", F.row_number().over(order))
        .where(F.col("rank") <= k)
    )
    lists = unseen.select("user", "rank", "item").toPandas()
    lists = lists.sort_values(["user", "rank"])
    per_user = lists.groupby("user").size().reindex(group.users, fill_value=0)
    if (per_user < k).any():
        short = int((per_user < k).sum())
        raise ValueError(
            f"{short} users have fewer than k={k} unseen items with ALS factors: lower "
            "evaluation.k or give the model more items"
        )
    # Rows follow the group's user order, so the lists line up with its targets.
    position = pd.Index(group.users).get_indexer(lists["user"])
    recs = np.empty((group.size, k), dtype=np.int64)
    recs[position, lists["rank"].to_numpy() - 1] = lists["item"].to_numpy()
    return recs


class _SparkLists(Recommender):
    """Hands the lists Spark made to ``score_group``, so they are scored like every model's."""

    name = "spark_als"
    description = "MLlib ALS trained on Apache Spark."

    def __init__(self, recs: np.ndarray, n_items: int) -> None:
        self.recs = recs
        self.n_items_ = n_items

    def recommend(
        self, history: sparse.csr_matrix, k: int, exclude: sparse.csr_matrix | None = None
    ) -> np.ndarray:
        """Return the precomputed lists; they were made for exactly these users.

        Raises:
            ValueError: asked for other users or another ``k`` than the lists hold.

        """
        if history.shape[0] != self.recs.shape[0] or k != self.recs.shape[1]:
            raise ValueError(
                f"the Spark lists hold {self.recs.shape} and {history.shape[0]} x {k} was asked"
            )
        return self.recs


def _write_atomically(path: Path, write: Any) -> None:
    """Write through a temporary file beside ``path``: an interrupted run leaves the old one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    write(partial)
    partial.replace(path)


def _spark_lists(
    rows: pd.DataFrame,
    warm: Group,
    k: int,
    settings: ALSSettings,
    *,
    name: str,
    seed: int,
    bar: StageBar,
    seconds: dict[str, float],
) -> tuple[np.ndarray, dict[str, Any]]:
    """Start Spark, train ALS on ``rows`` and return the ``warm`` users' lists and what ran."""
    bar.start("start Spark")
    clock = time.perf_counter()
    spark = _session(settings, name)
    context = spark.sparkContext
    ran = {
        "spark_version": spark.version,
        "master": context.master,
        "default_parallelism": context.defaultParallelism,
        # The top-k search runs one task per pair of user and item blocks: ALS's default of
        # 10 each (100 tasks a request) suits a cluster and only adds overhead on a few cores.
        "als_blocks": settings.blocks or min(10, context.defaultParallelism),
    }
    seconds["start"] = time.perf_counter() - clock
    try:
        bar.start("train ALS")
        clock = time.perf_counter()
        model = _fit(spark, rows, settings, seed=seed, blocks=ran["als_blocks"])
        seconds["fit"] = time.perf_counter() - clock
        bar.start("top k per user")
        clock = time.perf_counter()
        recs = _top_k(spark, model, warm, k)
        seconds["recommend"] = time.perf_counter() - clock
    finally:
        spark.stop()
    return recs, ran


def run_spark_als(config: Config, settings: ALSSettings) -> dict[str, Any]:
    """Train ALS on Spark, score its lists with the project's metrics, and write both.

    Raises:
        SparkUnavailableError: pyspark or Java is missing (the message names the fix).
        FileNotFoundError: ``prepare`` has not run.
        ValueError: no known test users, or too few items for ``k``.

    """
    require_spark()
    k = config.evaluation.k
    seconds: dict[str, float] = {}
    with StageBar(STAGES, "spark") as bar:
        bar.start("read the split")
        clock = time.perf_counter()
        dataset = load_dataset(config)
        phase = dataset.phase("test")
        warm = phase.warm
        if warm.size == 0:
            raise ValueError("no known user to judge in the test period: see `make prepare`")
        settings = ALSSettings(
            **{**asdict(settings), "feedback": choose_feedback(config, settings)}
        )
        rows = training_rows(dataset, settings.feedback)
        seconds["read"] = time.perf_counter() - clock

        with _pandas_3_accepted():
            recs, ran = _spark_lists(
                rows,
                warm,
                k,
                settings,
                name=f"{config.root.name} ALS",
                seed=config.seed,
                bar=bar,
                seconds=seconds,
            )

        bar.start("score")
        clock = time.perf_counter()
        n_items = dataset.item_ids.size
        catalogue = Catalogue.of(phase.fit, dataset.features)
        scores = score_group(_SparkLists(recs, n_items), warm, k=k, catalogue=catalogue)
        evaluation = config.evaluation
        resampling = Resampling(evaluation.bootstrap_resamples, evaluation.confidence, config.seed)
        intervals = {name: resampling.interval(values) for name, values in scores.per_user.items()}
        seconds["score"] = time.perf_counter() - clock

    lists_path = config.processed_dir / LISTS_FILE
    lists = pd.DataFrame(
        {
            "user_id": np.repeat(dataset.user_ids[warm.users], k).astype(str),
            "rank": np.tile(np.arange(1, k + 1), warm.size),
            "item_id": dataset.item_ids[recs.ravel()].astype(str),
        }
    )
    _write_atomically(lists_path, lambda path: lists.to_parquet(path, index=False))
    result: dict[str, Any] = {
        "model": "MLlib ALS (pyspark.ml.recommendation.ALS)",
        "ran": ran,
        "feedback": settings.feedback,
        "hyperparameters": {
            "rank": settings.rank,
            "iterations": settings.iterations,
            "regularisation": settings.regularisation,
            **({"alpha": settings.alpha} if settings.feedback == "implicit" else {}),
        },
        "tuned_on_validation": False,
        "seed": config.seed,
        "k": k,
        "confidence": evaluation.confidence,
        "bootstrap_resamples": evaluation.bootstrap_resamples,
        "trained_on": {"interactions": len(rows), "users": int(rows["user"].nunique())},
        "warm_users": warm.size,
        "cold_start_users": None,
        "cold_start_note": "not judged: ALS has no factors for users it did not train on",
        "accuracy": {name: intervals[name] for name in ACCURACY_METRICS},
        "beyond_accuracy": {
            "coverage": catalogue_coverage(recs, n_items),
            "gini": gini(recs, n_items),
            "personalisation": personalisation(recs),
            **{name: intervals.get(name) for name in ("long_tail", "novelty", "diversity")},
        },
        "seconds": seconds,
        "lists": lists_path.relative_to(config.root).as_posix(),
    }
    metrics_path = config.reports_dir / METRICS_FILE
    text = json.dumps(result, indent=2) + "\n"
    _write_atomically(metrics_path, lambda path: path.write_text(text, encoding="utf-8"))
    return result


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m {{ cookiecutter.__package }}.spark_als",
        description="Train MLlib ALS on Apache Spark on the prepared split and judge it with "
        "the project's metrics (run `make prepare` first).",
    )
    parser.add_argument("--config", type=Path, default=Path("config.toml"), help="config file")
    parser.add_argument(
        "--master",
        default=None,
        help=f"Spark master URL, e.g. spark://host:7077 or yarn (default: $SPARK_MASTER, "
        f"else spark-submit's, else {DEFAULT_MASTER}: every core of this machine)",
    )
    parser.add_argument(
        "--conf",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a Spark setting, e.g. spark.driver.memory=8g (repeatable)",
    )
    defaults = ALSSettings()
    parser.add_argument("--rank", type=int, default=defaults.rank, help="latent factors")
    parser.add_argument("--iterations", type=int, default=defaults.iterations)
    parser.add_argument(
        "--regularisation", type=float, default=defaults.regularisation, help="ALS regParam"
    )
    parser.add_argument(
        "--alpha", type=float, default=defaults.alpha, help="confidence weight (implicit only)"
    )
    parser.add_argument(
        "--blocks",
        type=int,
        default=defaults.blocks,
        help="ALS user and item blocks (default: Spark's parallel tasks, at most 10)",
    )
    parser.add_argument(
        "--feedback",
        choices=("auto", "implicit", "explicit"),
        default="auto",
        help="auto: explicit when the data has ratings and no relevance_threshold, else implicit",
    )
    return parser


def _settings(args: argparse.Namespace) -> ALSSettings:
    conf = {}
    for pair in args.conf:
        key, equals, value = pair.partition("=")
        if not equals or not key:
            raise ValueError(f"--conf {pair!r} is not KEY=VALUE, e.g. spark.driver.memory=8g")
        conf[key] = value
    return ALSSettings(
        master=args.master,
        conf=conf,
        rank=args.rank,
        iterations=args.iterations,
        regularisation=args.regularisation,
        alpha=args.alpha,
        feedback=args.feedback,
        blocks=args.blocks,
    )


def main(argv: list[str] | None = None) -> int:
    """Run the Spark route; return the exit code (1 with a one-line message on known errors)."""
    args = _parser().parse_args(argv)
    try:
        settings = _settings(args)
        require_spark()
        config = load_config(args.config)
        result = run_spark_als(config, settings)
    except (ConfigError, FileNotFoundError, ValueError, SparkUnavailableError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    ran, k = result["ran"], result["k"]
    ndcg = result["accuracy"]["ndcg"]
    chosen = ", ".join(f"{key} {value:g}" for key, value in result["hyperparameters"].items())
    print(
        f"spark: MLlib ALS ({result['feedback']} feedback; {chosen}) on Spark "
        f"{ran['spark_version']}, master {ran['master']} ({ran['default_parallelism']} "
        f"parallel tasks), trained on {result['trained_on']['interactions']:,} interactions"
    )
    print(
        f"spark: NDCG@{k} {ndcg['estimate']:.3f} [{ndcg['low']:.3f}, {ndcg['high']:.3f}] over "
        f"{result['warm_users']:,} known test users, scored by the project's own metrics "
        f"(cold-start users {result['cold_start_note']})"
    )
    times = result["seconds"]
    print(
        "spark: "
        + ", ".join(f"{stage} {value:.1f} s" for stage, value in times.items())
        + f"; wrote reports/{METRICS_FILE} and {result['lists']}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
