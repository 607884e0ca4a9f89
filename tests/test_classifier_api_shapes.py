"""classifier-api takes the shapes real tabular exports come in, by changing params.yaml only.

Two files the tests write themselves, each unlike the bundled sample: a space-separated file
without a header, of coded categoricals with labels 1/2 (the layout of the German credit
data), and a semicolon export with a byte-order mark, decimal commas, an identifier column and
a constant column (the layout of a telco churn export). For each, only ``params.yaml``
changes; ``make all`` succeeds, the report shows the codes by the names ``value_labels``
gives them and lists the data-quality notes, and the project's own suite stays green. A bad
value for every key this adds is one line naming the key.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from tests.conftest import generate, run_in_project
from tests.test_classifier_api_claims import report_problems

pytestmark = pytest.mark.slow

CREDIT_COLUMNS = [
    "checking_status",
    "duration_months",
    "credit_history",
    "purpose",
    "credit_amount",
    "savings",
    "personal_status",
    "age_years",
    "foreign_worker",
    "risk",
]
CREDIT_LABELS = {
    "checking_status": {"A11": "overdrawn", "A12": "low balance", "A13": "high balance"},
    "personal_status": {"A91": "male divorced", "A92": "female", "A93": "male single"},
    "foreign_worker": {"A201": "foreign worker", "A202": "local worker"},
}
CHURN_COLUMNS = [
    "customerID",
    "gender",
    "SeniorCitizen",
    "Partner",
    "tenure",
    "Contract",
    "MonthlyCharges",
    "TotalCharges",
    "Country",
    "Churn",
]
# The churn export's features: without the identifier, the constant column and the target.
CHURN_FEATURES = set(CHURN_COLUMNS) - {"customerID", "Country", "Churn"}
CHURN_LABELS = {"SeniorCitizen": {0: "under 65", 1: "65 or over"}}
SMALL_MARK = "†"


def write_credit_file(path: Path, rows: int = 900, seed: int = 7) -> Path:
    """A headerless space-separated file of codes with labels 1 (good) and 2 (bad)."""
    rng = np.random.default_rng(seed)
    lines = []
    for _ in range(rows):
        status = rng.choice(["A11", "A12", "A13"], p=[0.4, 0.35, 0.25])
        months = int(rng.integers(6, 60))
        risk_score = {"A11": 0.9, "A12": 0.0, "A13": -1.0}[status] + (months - 30) / 25
        bad = rng.random() < 1 / (1 + np.exp(-(risk_score - 0.8)))
        fields = [
            status,
            str(months),
            str(rng.choice(["A30", "A32", "A34"])),
            str(rng.choice(["A40", "A43", "A46", "A49"])),
            str(int(rng.integers(250, 15000))),
            str(rng.choice(["A61", "A62", "A65"])),
            str(rng.choice(["A91", "A92", "A93"], p=[0.2, 0.35, 0.45])),
            str(int(rng.integers(19, 75))),
            str(rng.choice(["A201", "A202"], p=[0.9, 0.1])),
            "2" if bad else "1",
        ]
        lines.append(" ".join(fields))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="ascii")
    return path


def write_churn_export(path: Path, rows: int = 1200, seed: int = 11) -> Path:
    """A semicolon export: BOM, CRLF, decimal commas, an ID, a constant, rows without target."""
    rng = np.random.default_rng(seed)
    lines = [";".join(CHURN_COLUMNS)]
    for i in range(rows):
        tenure = int(rng.integers(1, 72))
        contract = str(rng.choice(["Month-to-month", "One year", "Two year"], p=[0.55, 0.25, 0.2]))
        monthly = float(rng.uniform(18, 118))
        score = -1.2 - tenure / 24 + monthly / 60 + (1.3 if contract == "Month-to-month" else 0)
        churn = "Yes" if rng.random() < 1 / (1 + np.exp(-score)) else "No"
        fields = [
            f"{rng.integers(1000, 9999)}-{''.join(rng.choice(list('ABCDEFGHJKLMNPQRSTUVWXYZ'), 5))}"
            f"{i}",
            str(rng.choice(["Female", "Male"])),
            str(int(rng.random() < 0.16)),
            str(rng.choice(["Yes", "No"])),
            str(tenure),
            contract,
            f"{monthly:.2f}".replace(".", ","),
            f"{monthly * tenure:.2f}".replace(".", ","),
            "DE",
            "" if i % 97 == 5 else churn,
        ]
        lines.append(";".join(fields))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(lines).encode("utf-8") + b"\r\n")
    return path


def credit_config(data: Path) -> dict[str, Any]:
    """What an owner changes in params.yaml for the credit file."""
    return {
        "data": {
            "source": "file",
            "path": str(data),
            "csv": {"header": False, "column_names": CREDIT_COLUMNS},
        },
        "target": "risk",
        "positive_label": 2,
        "positive_name": "bad credit risks",
        "negative_name": "good credit risks",
        "case_name": "applicants",
        "categorical_columns": [],
        "subgroup_columns": ["personal_status", "foreign_worker"],
        "value_labels": CREDIT_LABELS,
        "costs": {"false_positive": 100, "false_negative": 500, "currency": "DEM"},
    }


def churn_config(data: Path) -> dict[str, Any]:
    """What an owner changes in params.yaml for the churn export."""
    return {
        "data": {"source": "file", "path": str(data)},
        "target": "Churn",
        "positive_label": "Yes",
        "positive_name": "churners",
        "negative_name": "loyal customers",
        "case_name": "customers",
        "categorical_columns": ["SeniorCitizen"],
        "subgroup_columns": ["gender", "SeniorCitizen"],
        "value_labels": CHURN_LABELS,
        "costs": {"false_positive": 20, "false_negative": 200, "currency": "EUR"},
    }


def edit_params(project: Path, changes: dict[str, Any]) -> None:
    """Apply ``changes`` to the project's params.yaml (nested keys merged), as an owner does."""
    path = project / "params.yaml"
    values = yaml.safe_load(path.read_text(encoding="utf-8"))

    def merge(target: dict[str, Any], update: dict[str, Any]) -> None:
        for key, value in update.items():
            if (
                isinstance(value, dict)
                and isinstance(target.get(key), dict)
                and key != "value_labels"
            ):
                merge(target[key], value)
            else:
                target[key] = value

    merge(values, changes)
    path.write_text(yaml.safe_dump(values, sort_keys=False, allow_unicode=True), encoding="utf-8")


def block(text: str, name: str) -> str:
    """Return the content of the marker block ``name`` in ``text``."""
    match = re.search(
        rf"<!-- portfolio:{name}:start -->\n(.*?)<!-- portfolio:{name}:end -->", text, re.S
    )
    assert match, f"no {name} block"
    return match.group(1)


@dataclass(frozen=True)
class Shape:
    """One data shape: how to write the file and what an owner writes in params.yaml."""

    file_name: str
    write: Callable[[Path], Path]
    config: Callable[[Path], dict[str, Any]]


SHAPES = {
    "space-headerless-codes": Shape("german.data", write_credit_file, credit_config),
    "semicolon-bom-decimal-comma": Shape("churn.csv", write_churn_export, churn_config),
}
_RUNS: dict[str, Path] = {}


@pytest.fixture(params=list(SHAPES))
def shaped(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project whose params.yaml points at one shape, after `make all` (once per shape)."""
    name = request.param
    if name not in _RUNS:
        shape = SHAPES[name]
        project = generate("classifier-api", tmp_path_factory.mktemp(name), init_git=False).path
        data = shape.write(project / "data" / "raw" / shape.file_name)
        edit_params(project, shape.config(data))
        run_in_project(project, "make", "all", f"PYTHON={sys.executable}")
        _RUNS[name] = project
    return _RUNS[name]


def _readme(project: Path) -> str:
    return (project / "README.md").read_text(encoding="utf-8")


def _is_credit(project: Path) -> bool:
    return (project / "data" / "raw" / "german.data").is_file()


def test_the_report_shows_codes_by_their_names(shaped: Path) -> None:
    readme = _readme(shaped)
    subgroups, api = block(readme, "subgroups"), block(readme, "api")
    labels = CREDIT_LABELS if _is_credit(shaped) else CHURN_LABELS
    for column, names in labels.items():
        for code, name in names.items():
            if column in ("personal_status", "foreign_worker", "SeniorCitizen"):
                # A group too small to compare carries the mark in the table itself.
                row = rf"^\| {re.escape(name)}( {SMALL_MARK})? +\|"
                assert re.search(row, subgroups, re.M), name
            assert name in api, name
            # A code is never a group or an accepted value of its own once it has a name.
            assert not re.search(rf"^\| {code} +\|", subgroups, re.M), code
    assert "(or their codes:" in api


def test_the_data_block_says_how_the_file_was_read_and_what_was_checked(shaped: Path) -> None:
    data = block(_readme(shaped), "data")
    assert "**Data quality.**" in data
    if _is_credit(shaped):
        assert "space-separated (detected)" in data and "no header row" in data
        assert "`checking_status`: codes shown by name" in data
        # The codes without names are pointed out, with the key that names them.
        assert "Columns shown as codes: `credit_history`" in data and "value_labels" in data
    else:
        assert "semicolon-separated (detected)" in data
        assert "UTF-8 with a byte-order mark (detected)" in data
        assert "Constant columns dropped: `Country` (every row 'DE')" in data
        assert "Identifier-like columns excluded" in data and "`customerID`" in data
        assert "decimal comma were read as numbers: `MonthlyCharges`, `TotalCharges`" in data
        assert "rows have no `Churn` value and were left out" in data
        assert "quality.keep_columns" in data


def test_the_example_request_uses_the_new_columns(shaped: Path) -> None:
    api = block(_readme(shaped), "api")
    body = re.search(r"-d '(\{.*\})'", api)
    assert body is not None
    keys = set(yaml.safe_load(body.group(1)))
    if _is_credit(shaped):
        assert keys == set(CREDIT_COLUMNS) - {"risk"}
    else:
        assert keys == CHURN_FEATURES


def test_no_sentence_contradicts_a_number(shaped: Path) -> None:
    assert report_problems(shaped) == []


def test_the_projects_own_suite_stays_green(shaped: Path) -> None:
    run_in_project(shaped, "make", "test", f"PYTHON={sys.executable}")


# Each key this template added, with a bad value, and what the one-line error must name.
BAD_VALUES = [
    ("data.csv.delimiter", ":", "data.csv.delimiter = ':': choose one of"),
    ("data.csv.encoding", "klingon", "encoding 'klingon' is not a known codec"),
    ("data.csv.decimal", ";", "data.csv.decimal = ';'"),
    ("data.csv.thousands", "x", "data.csv.thousands = 'x'"),
    ("data.csv.header", "maybe", "data.csv.header = 'maybe'"),
    ("data.csv.column_names", "a b c", "data.csv.column_names = 'a b c'"),
    ("value_labels", ["checking_status"], "value_labels = ['checking_status']"),
    ("value_labels.checking_status", {"A11": 3}, "value_labels.checking_status.A11 = 3"),
    ("quality.keep_columns", "age_years", "quality.keep_columns = 'age_years'"),
    ("quality.keep", [], "unknown key 'quality.keep'; allowed keys: keep_columns"),
    ("model.max_categories", 1, "model.max_categories = 1"),
    ("evaluation.min_group_size", 0, "evaluation.min_group_size = 0"),
    # Values that are well-formed but do not fit the file: named at the data stage.
    ("data.csv.delimiter", ";", "data.csv.delimiter: german.data split by semicolon is one"),
    ("data.csv.encoding", "utf-32", "data.csv.encoding: german.data is not valid utf-32"),
    ("value_labels.colour", {"1": "red"}, "value_labels names column 'colour'"),
    ("quality.keep_columns", ["colour"], "quality.keep_columns names column 'colour'"),
]


@pytest.mark.parametrize(("key", "value", "expected"), BAD_VALUES)
def test_a_bad_value_is_one_line_naming_the_key(
    key: str, value: Any, expected: str, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    if "bad-values" not in _RUNS:
        project = generate("classifier-api", tmp_path_factory.mktemp("bad"), init_git=False).path
        edit_params(project, credit_config(write_credit_file(project / "data" / "german.data")))
        _RUNS["bad-values"] = project
    project = _RUNS["bad-values"]
    values = yaml.safe_load((project / "params.yaml").read_text(encoding="utf-8"))
    *parents, last = key.split(".")
    target = values
    for parent in parents:
        target = target.setdefault(parent, {})
    target[last] = value
    config = tmp_path / "params.yaml"
    config.write_text(yaml.safe_dump(values), encoding="utf-8")
    package = project.name.replace("-", "_")
    result = subprocess.run(
        [sys.executable, "-m", f"{package}.data", "--config", str(config)],
        cwd=project,
        env={"PYTHONPATH": str(project / "src"), "PATH": str(Path(sys.executable).parent)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ") and expected in lines[0], lines[0]
