"""The tests' own data: the fixture folder, a three-class corpus writer, throw-away projects.

Nothing here reads the project's ``config.toml``, its data or its documents: the owner changes
those. The tests run on ``tests/fixtures/`` (a copy of the bundled two-class excerpt and its
config) and on a three-class corpus written here, each in a throw-away project folder.
"""

from __future__ import annotations

import csv
import json
import shutil
import tomllib
from pathlib import Path
from typing import Any

import numpy as np

from {{ cookiecutter.__package }}.blocks import BLOCK_NAMES
from {{ cookiecutter.__package }}.report import DOCUMENTS

FIXTURES = Path(__file__).resolve().parent / "fixtures"

TOPICS = {
    "1": ("billing", "invoice charge refund payment card bill price overcharged receipt paid"),
    "2": ("delivery", "parcel courier shipped tracking arrived late address package driver box"),
    "3": ("technical", "error crash login password app update screen bug install reboot"),
}
SHARED = "please help today thanks hello order account customer still again need my the a"
TOPIC_CONFIG = """
seed = 3

[dataset]
name = "Synthetic support tickets"
item = "ticket"
items = "tickets"

[data]
path = "tickets.csv"
header = true
text_columns = ["subject", "body"]
label_column = "team"

[labels]
drop = ["9"]

[labels.map]
1 = "Billing"
2 = "Delivery"
3 = "Technical"

[model]
C = [3.0, 30.0]
tuning_folds = 2

[costs]
currency = "USD"
error = 2.0

[costs.matrix.Technical]
Billing = 10.0

[report]
bootstrap_resamples = 200
"""


def toml_text(data: dict[str, Any], prefix: str = "") -> str:
    """Write ``data`` as TOML: plain keys first, then each table; JSON spells the values."""
    plain = {k: v for k, v in data.items() if not isinstance(v, dict)}
    tables = {k: v for k, v in data.items() if isinstance(v, dict)}
    lines = [f"{json.dumps(key)} = {json.dumps(value)}" for key, value in plain.items()]
    for key, value in tables.items():
        name = f"{prefix}.{json.dumps(key)}" if prefix else json.dumps(key)
        lines += ["", f"[{name}]", toml_text(value, name)]
    return "\n".join(lines)


def fixture_settings() -> dict[str, Any]:
    """The two-class fixture config as a dict, to change one value in a test."""
    return tomllib.loads((FIXTURES / "config.toml").read_text(encoding="utf-8"))


def write_documents(root: Path) -> None:
    """Write each document the report updates, holding every block the report knows."""
    for name in DOCUMENTS:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        markers = "\n\n".join(
            f"<!-- portfolio:{block}:start -->\n<!-- portfolio:{block}:end -->"
            for block in BLOCK_NAMES
        )
        path.write_text(f"# {path.stem}\n\nWritten by the tests.\n\n{markers}\n", encoding="utf-8")


def write_topics(path: Path, per_class: int = 120, seed: int = 0) -> Path:
    """Write a three-class ticket file: ``;``-separated, a header, subject and body columns.

    The codes 1-3 are the classes; a few rows of code 9 are there to be dropped. Each text mixes
    two or three words of its class with a word of another class and shared words, and one text
    in ten has only another class's words (label noise), so the model makes errors of every kind.
    """
    rng = np.random.default_rng(seed)
    shared = SHARED.split()
    codes = list(TOPICS)
    rows = []
    for code, (_, words) in [*TOPICS.items(), ("9", ("other", "unrelated misc junk ignore"))]:
        count = per_class if code != "9" else 6
        for number in range(count):
            source = words if code == "9" or rng.random() > 0.1 else TOPICS[rng.choice(codes)][1]
            own = rng.choice(source.split(), size=rng.integers(2, 4)).tolist()
            noise = rng.choice(TOPICS[rng.choice(codes)][1].split(), size=1).tolist()
            other = rng.choice(shared, size=rng.integers(4, 9)).tolist()
            words_used = rng.permutation(own + noise + other).tolist()
            subject = " ".join([*words_used[:2], f"#{number}"])
            rows.append([f"T{code}{number:04d}", subject, " ".join(words_used[2:]), code])
    order = rng.permutation(len(rows))
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["id", "subject", "body", "team"])
        writer.writerows(rows[i] for i in order)
    return path


def binary_project(root: Path) -> Path:
    """A throw-away project with the two-class fixture config, data and documents."""
    shutil.copy(FIXTURES / "config.toml", root / "config.toml")
    shutil.copy(FIXTURES / "messages.tsv", root / "messages.tsv")
    write_documents(root)
    return root / "config.toml"


def topics_project(root: Path) -> Path:
    """A throw-away project with the three-class ticket corpus, its config and documents."""
    (root / "config.toml").write_text(TOPIC_CONFIG, encoding="utf-8")
    write_topics(root / "tickets.csv")
    write_documents(root)
    return root / "config.toml"
