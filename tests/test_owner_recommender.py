"""The recommender survives being made its owner's: their data, their words, their story.

The project is generated with the answers an owner in retail would give, set up with its own
documented command in a fresh environment (``tests/owner.py``), and then only its
``config.toml`` changes, exactly as an owner's would, to point at data this test writes in
shapes unlike the bundled sample's:

- a headerless tab-separated log without ratings or item metadata (issue 12's fixture):
  implicit feedback, and a content model with nothing to use;
- a semicolon file with a byte-order mark, decimal-comma ratings, spaced column names, ISO
  dates and a relevance threshold, with a tab-separated product catalogue whose categories
  are separated by ``/`` (the owner's own project, which must end ready to show).

Every ``make`` target runs in the project's own ``.venv``, never in this repository's.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from portfolio.check import check_project
from tests.conftest import generate
from tests.owner import OwnedProject, commit_all, set_up_as_owner, write_narrative

pytestmark = pytest.mark.slow

ANSWERS = {
    "project_name": "Garden Shop Recommender",
    "description": "Suggests products to a garden shop's returning customers, with trade-offs.",
    "author_name": "Alex Owner",
}
PACKAGE = "garden_shop_recommender"
# Words that only the bundled sample (synthetic film ratings) would put in a project.
SAMPLE_WORDS = re.compile(
    r"\b(?:films?|movies?|watch(?:ed|es|ing)?|cinemas?|blockbusters?|genres)\b", re.I
)
# Tracked files that may speak of the sample: the sample itself, its seeded generator (the
# sample's datasheet in code), and the tests, which belong to the code, not to the owner.
SAMPLE_FILES = ("data/sample/", "tests/", f"src/{PACKAGE}/synthetic.py")
NARRATIVE = (
    "Written by the owner: this recommender serves the garden shop's returning customers, and "
    "the argument for the chosen model is in docs/tradeoffs.md."
)


@pytest.fixture(scope="module")
def owned(tmp_path_factory: pytest.TempPathFactory) -> OwnedProject:
    """The generated project, set up with `make setup` in a fresh environment, once."""
    project = generate("recommender", tmp_path_factory.mktemp("owner"), **ANSWERS).path
    return set_up_as_owner(project)


def _purchases(seed: int, customers: int, products: int) -> tuple[list[dict[str, Any]], list[int]]:
    """A seeded log where customers of a segment favour a department, so models have signal."""
    rng = np.random.default_rng(seed)
    department = rng.integers(0, 5, size=products)
    segment = rng.integers(0, 5, size=customers)
    popularity = np.log(rng.permutation(1.0 / np.arange(1, products + 1)))
    rows = []
    for customer in range(customers):
        affinity = np.where(department == segment[customer], 2.0, 0.0)
        keys = popularity + affinity + rng.gumbel(size=products)
        count = int(np.clip(rng.lognormal(np.log(12), 0.6), 3, products // 2))
        for order, product in enumerate(np.argsort(-keys)[:count]):
            day = 1 + (customer * 7 + order * 11) % 360
            rows.append(
                {
                    "customer": f"C{customer:04d}",
                    "product": f"SKU-{product:03d}",
                    "stars": float(np.clip(3 + affinity[product] + rng.normal(0, 1), 1, 5)),
                    "day": day,
                }
            )
    return rows, department.tolist()


def _date(day: int) -> str:
    return str(np.datetime64("2024-01-01") + np.timedelta64(day, "D"))


def _readme_block(project: Path, name: str) -> str:
    text = (project / "README.md").read_text(encoding="utf-8")
    return text.split(f"<!-- portfolio:{name}:start -->")[1].split(
        f"<!-- portfolio:{name}:end -->"
    )[0]


def _set_config(project: Path, text: str) -> None:
    (project / "config.toml").write_text(text, encoding="utf-8")


def _metrics(project: Path) -> dict[str, Any]:
    return json.loads((project / "reports" / "metrics.json").read_text(encoding="utf-8"))


TSV_CONFIG = """\
seed = 7

[data.interactions]
path = "data/clicks.tsv"
header = false
column_names = ["visitor", "page", "seen_at"]

[data.interactions.columns]
user = "visitor"
item = "page"
timestamp = "seen_at"

[names]
user = "visitor"
item = "page"
interacted = "opened"

[evaluation]
k = 5
bootstrap_resamples = 300
"""


def test_a_headerless_tsv_without_ratings_or_metadata_needs_only_the_config(
    owned: OwnedProject,
) -> None:
    rows, _ = _purchases(seed=11, customers=220, products=70)
    lines = [f"{r['customer']}\t{r['product']}\t{1_700_000_000 + r['day'] * 3600}" for r in rows]
    (owned.path / "data" / "clicks.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    _set_config(owned.path, TSV_CONFIG)

    owned.make("all")

    data = _readme_block(owned.path, "data")
    assert "`data/clicks.tsv`" in data
    assert "tab-separated (detected), no header row" in data
    assert "`visitor` as the visitor, `page` as the page, `seen_at` as the timestamp" in data
    assert "Implicit feedback (no rating column)" in data
    assert "content model has nothing to use and falls back to popularity" in data
    assert "**content** falls back to popularity" in _readme_block(owned.path, "summary")
    assert "pages the visitor opened later" in _readme_block(owned.path, "business")
    metrics = _metrics(owned.path)
    assert metrics["models"]["content"]["fallback"] == "popularity"
    assert metrics["dataset"]["users"] == 220
    owned.make("test")


NEW_KEYS: list[tuple[str, object]] = [
    ("data.source", "csv"),
    ("data.movielens_path", 1),
    ("data.relevance_threshold", "4"),
    ("data.interactions.path", 5),
    ("data.interactions.delimiter", ""),
    ("data.interactions.header", "no"),
    ("data.interactions.column_names", 3),
    ("data.interactions.encoding", "utf-9"),
    ("data.interactions.decimal", ";"),
    ("data.interactions.columns.user", ""),
    ("data.interactions.columns.rating", 1),
    ("data.interactions.columns.timestamp", []),
    ("data.items.path", True),
    ("data.items.delimiter", "\n"),
    ("data.items.columns.item", ""),
    ("data.items.columns.title", 0),
    ("data.items.columns.categories", 2),
    ("data.items.columns.category_separator", ""),
    ("data.items.columns.year", 1999),
    ("names.user", ""),
    ("names.items", 3),
    ("names.interacted", False),
    ("split.test_fraction", "0.2"),
    ("evaluation.k", 10.5),
]
VALID = {
    "data": {
        "interactions": {"path": "x.csv", "columns": {"user": "u", "item": "i"}},
        "items": {"path": "y.csv", "columns": {"item": "i"}},
    }
}


def _toml(data: dict[str, Any], prefix: str = "") -> str:
    """Write nested tables of scalars and lists as TOML (a JSON string is a TOML string)."""
    text = "".join(
        f"{key} = {json.dumps(value)}\n"
        for key, value in data.items()
        if not isinstance(value, dict)
    )
    for key, value in data.items():
        if isinstance(value, dict):
            name = f"{prefix}.{key}" if prefix else key
            text += f"[{name}]\n" + _toml(value, name)
    return text


def _with(key: str, value: object) -> dict[str, Any]:
    config = json.loads(json.dumps(VALID))
    *tables, leaf = key.split(".")
    table = config
    for name in tables:
        table = table.setdefault(name, {})
    table[leaf] = value
    return config


@pytest.mark.parametrize(("key", "value"), NEW_KEYS, ids=[k for k, _ in NEW_KEYS])
def test_a_bad_value_for_every_new_key_is_one_line_naming_it(
    owned: OwnedProject, tmp_path: Path, key: str, value: object
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(_toml(_with(key, value)), encoding="utf-8")

    result = subprocess.run(
        [str(owned.python), "-m", PACKAGE, "--config", str(config), "prepare"],
        cwd=owned.path,
        env={"PYTHONPATH": str(owned.path / "src"), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )

    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith(f"error: config.toml: {key} = "), result.stderr


def test_the_base_those_bad_values_go_into_is_valid(owned: OwnedProject, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(_toml(VALID), encoding="utf-8")

    load = f"import {PACKAGE}.config as c; c.load_config({str(config)!r})"

    assert owned.run(str(owned.python), "-c", load).returncode == 0


SHOP_CONFIG = """\
# The garden shop's orders: exported from the till system as semicolon CSV.
seed = 5

[data]
relevance_threshold = 4

[data.interactions]
path = "data/orders.csv"
decimal = ","

[data.interactions.columns]
user = "Customer ID"
item = "Product code"
rating = "Stars given"
timestamp = "Ordered on"

[data.items]
path = "data/products.tsv"

[data.items.columns]
item = "sku"
title = "name"
categories = "departments"
category_separator = "/"
year = "launched"

[names]
user = "customer"
item = "product"
interacted = "bought"

[evaluation]
k = 8
bootstrap_resamples = 400
"""


def _write_shop_data(project: Path) -> tuple[set[str], set[str]]:
    rows, department = _purchases(seed=3, customers=320, products=140)
    names = ("Seeds", "Tools", "Pots", "Furniture", "Lighting")
    header = "Customer ID;Product code;Stars given;Ordered on"
    body = []
    for r in rows:
        stars = f"{r['stars']:.1f}".replace(".", ",")  # the till writes decimal commas
        body.append(f"{r['customer']};{r['product']};{stars};{_date(r['day'])}")
    orders = "\ufeff" + "\n".join([header, *body]) + "\n"
    (project / "data" / "orders.csv").write_text(orders, encoding="utf-8")
    products = ["sku\tname\tdepartments\tlaunched"] + [
        f"SKU-{i:03d}\t{names[d]} item {i}\t{names[d]}/Garden\t{2015 + i % 9}"
        for i, d in enumerate(department)
    ]
    (project / "data" / "products.tsv").write_text("\n".join(products) + "\n", encoding="utf-8")
    return {r["customer"] for r in rows}, {f"SKU-{i:03d}" for i in range(len(department))}


def test_an_owner_with_their_own_data_and_story_gets_a_ready_project(owned: OwnedProject) -> None:
    project = owned.path
    customers, products = _write_shop_data(project)
    _set_config(project, SHOP_CONFIG)

    owned.make("all")
    owned.make("test")
    owned.make("lint")

    data = _readme_block(project, "data")
    assert "semicolon-separated (detected)" in data
    assert "`Customer ID` as the customer, `Product code` as the product" in data
    assert "count as relevant" in data
    assert "`departments` as the categories" in data
    assert "category and decade features" in data
    assert "products the customer bought later" in _readme_block(project, "business")
    metrics = _metrics(project)
    assert metrics["models"]["content"]["fallback"] is None
    assert metrics["dataset"]["users"] <= len(customers) < 500

    # The README's examples name a customer and products that exist in the owner's data.
    examples = metrics["examples"]
    assert examples["user"] in customers
    assert set(examples["items"]) <= products
    tried = _readme_block(project, "try")
    assert f"USER_ID={examples['user']}" in tried
    assert f"http://127.0.0.1:8000/users/{examples['user']}/recommendations?k=8" in tried
    assert f"--seen {' '.join(examples['items'])}" in tried
    answer = owned.run("make", "recommend", f"USER_ID={examples['user']}").stdout
    assert f"for customer {examples['user']}" in answer and "(product SKU-" in answer

    assert write_narrative(project, NARRATIVE) > 0
    owned.make("test")
    commit_all(project, "Use the shop's orders and write the story")

    report = check_project(project, strict=True)
    assert [f"{f.rule}: {f.message}" for f in report.findings] == []
    assert report.ready

    tracked = owned.run("git", "ls-files").stdout.split()
    leftovers = []
    for name in tracked:
        if name.startswith(SAMPLE_FILES):
            continue
        try:
            text = (project / name).read_text(encoding="utf-8")
        except UnicodeDecodeError:  # figures: no words to find
            continue
        leftovers += [f"{name}: {m.group(0)}" for m in SAMPLE_WORDS.finditer(text)]
    assert leftovers == []
