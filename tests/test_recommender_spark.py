"""The recommender's Apache Spark route, run as its README tells an owner, in Spark's local mode.

The project is set up with its documented command for the route (``make setup EXTRAS=spark``)
in a fresh environment, its config is pointed at a few thousand implicit interactions this
test writes, and ``make prepare`` then ``make spark`` run in the project's own ``.venv``
with a real Spark (pyspark from the package index, on the machine's Java 17). The metrics
Spark's lists are given must be what the project's own metric functions compute on those
lists, recomputed here from the exported lists against the same split.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.conftest import generate
from tests.owner import OwnedProject, set_up_as_owner

pytestmark = pytest.mark.slow

PACKAGE = "big_data_recommender"
CONFIG = """\
seed = 5

[data.interactions]
path = "data/events.csv"

[data.interactions.columns]
user = "account"
item = "sku"
rating = ""
timestamp = "when"

[names]
user = "account"
item = "product"
interacted = "bought"

[evaluation]
k = 5
bootstrap_resamples = 200
"""
# Recomputes every per-user metric from the exported lists with the project's own functions,
# independently of the Spark module's scoring path.
RECOMPUTE = f"""
import json
import numpy as np
import pandas as pd
from {PACKAGE}.config import load_config
from {PACKAGE}.metrics import accuracy_per_user, long_tail_share, novelty
from {PACKAGE}.prepare import load_dataset

config = load_config("config.toml")
dataset = load_dataset(config)
phase = dataset.phase("test")
warm = phase.warm
k = config.evaluation.k
lists = pd.read_parquet("data/processed/spark-recommendations.parquet")
users = pd.Index(dataset.user_ids.astype(str)).get_indexer(lists["user_id"])
items = pd.Index(dataset.item_ids.astype(str)).get_indexer(lists["item_id"])
rows = pd.Index(warm.users).get_indexer(users)
recs = np.full((warm.size, k), -1, dtype=np.int64)
recs[rows, lists["rank"].to_numpy() - 1] = items
counts = np.asarray(phase.fit.sum(axis=0)).ravel()
trained_users = int((phase.fit.getnnz(axis=1) > 0).sum())
out = {{
    name: float(values.mean()) for name, values in accuracy_per_user(recs, warm.targets).items()
}}
out["long_tail"] = float(long_tail_share(recs, counts).mean())
out["novelty"] = float(novelty(recs, counts, trained_users).mean())
out["rows"] = len(lists)
out["every_user_once"] = bool((rows >= 0).all()) and np.unique(rows).size == warm.size
out["complete"] = bool((recs >= 0).all())
seen = warm.history[np.repeat(np.arange(warm.size), k), recs.ravel()]
out["seen_recommended"] = int(np.asarray(seen).sum())
out["distinct_per_list"] = bool(all(len(set(r)) == k for r in recs.tolist()))
out["warm_users"] = warm.size
print(json.dumps(out))
"""


def _events(path: Path, *, seed: int, accounts: int, products: int) -> int:
    """Write a seeded purchase log where accounts of a segment favour a department."""
    rng = np.random.default_rng(seed)
    department = rng.integers(0, 6, size=products)
    segment = rng.integers(0, 6, size=accounts)
    popularity = np.log(rng.permutation(1.0 / np.arange(1, products + 1)))
    written = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["account", "sku", "when"])
        for account in range(accounts):
            keys = popularity + np.where(department == segment[account], 2.5, 0.0)
            keys = keys + rng.gumbel(size=products)
            count = int(np.clip(rng.lognormal(np.log(10), 0.5), 4, 40))
            for order, product in enumerate(np.argsort(-keys)[:count]):
                day = np.datetime64("2025-01-01") + np.timedelta64(
                    (account * 5 + order * 9) % 300, "D"
                )
                writer.writerow([f"A-{account:04d}", f"P{product:03d}", str(day)])
                written += 1
    return written


@pytest.fixture(scope="module")
def owned(tmp_path_factory: pytest.TempPathFactory) -> OwnedProject:
    """The generated project, set up with the README's command for the Spark route, once."""
    project = generate(
        "recommender", tmp_path_factory.mktemp("spark"), project_name="Big Data Recommender"
    ).path
    return set_up_as_owner(project, extras="spark")


@pytest.fixture(scope="module")
def spark_run(owned: OwnedProject) -> tuple[str, str, dict[str, Any]]:
    """``make prepare`` and ``make spark`` on the owner's data: stdout, stderr and the metrics."""
    written = _events(owned.path / "data" / "events.csv", seed=23, accounts=450, products=160)
    assert 3000 < written < 9000
    (owned.path / "config.toml").write_text(CONFIG, encoding="utf-8")
    owned.make("prepare")
    # Fewer ALS iterations than the default keep the test short: it proves the route and the
    # scoring, not ALS's accuracy.
    result = owned.make("spark", "SPARK_ARGS=--iterations 4", timeout=1800)
    metrics = json.loads((owned.path / "reports" / "spark-metrics.json").read_text("utf-8"))
    return result.stdout, result.stderr, metrics


def test_it_says_what_ran_local_mode_by_default(spark_run: tuple[str, str, dict]) -> None:
    stdout, stderr, metrics = spark_run

    assert metrics["ran"]["master"] == "local[*]"
    assert metrics["feedback"] == "implicit"
    assert metrics["hyperparameters"]["iterations"] == 4
    assert metrics["model"].startswith("MLlib ALS")
    assert f"master local[*] ({metrics['ran']['default_parallelism']} parallel tasks)" in stdout
    assert f"on Spark {metrics['ran']['spark_version']}" in stdout
    assert "wrote reports/spark-metrics.json" in stdout
    # Spark's own console progress bars stay out of logs.
    assert "[Stage " not in stderr
    assert "Traceback" not in stderr
    assert "Warning" not in stderr


def test_the_metrics_are_the_project_metric_functions_on_sparks_lists(
    owned: OwnedProject, spark_run: tuple[str, str, dict]
) -> None:
    _, _, metrics = spark_run

    recomputed = json.loads(owned.run(str(owned.python), "-c", RECOMPUTE).stdout)

    assert recomputed["complete"] and recomputed["every_user_once"]
    assert recomputed["warm_users"] == metrics["warm_users"] > 50
    assert recomputed["rows"] == metrics["warm_users"] * metrics["k"]
    assert recomputed["distinct_per_list"]
    assert recomputed["seen_recommended"] == 0, "Spark recommended items users already chose"
    for name in ("ndcg", "precision", "recall", "map", "hit_rate"):
        assert metrics["accuracy"][name]["estimate"] == pytest.approx(recomputed[name], abs=1e-12)
        low, high = metrics["accuracy"][name]["low"], metrics["accuracy"][name]["high"]
        assert low <= high
    beyond = metrics["beyond_accuracy"]
    for name in ("long_tail", "novelty"):
        assert beyond[name]["estimate"] == pytest.approx(recomputed[name], abs=1e-12)
    assert metrics["cold_start_users"] is None
    assert "not judged" in metrics["cold_start_note"]
