"""A hand-built project that passes every rule of `portfolio check`, for the check tests."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

from portfolio.answers import AnswersFile, write_answers_file
from portfolio.check import check_project

SECTION_TEXT = "A paragraph long enough to count as real writing by the author of this project."
README = f"""# Churn radar

## Problem
{SECTION_TEXT}

## Data
{SECTION_TEXT}

## Approach
{SECTION_TEXT}

## Results
<!-- portfolio:results:start -->
| metric | value |
| --- | --- |
| ROC-AUC | 0.91 |

![ROC curve](reports/figures/roc.png)
<!-- portfolio:results:end -->

## Business impact
{SECTION_TEXT}

## Decisions
{SECTION_TEXT}

## Limitations
{SECTION_TEXT}

## How to run
    make all
"""
FILES = {
    "README.md": README,
    "MODEL_CARD.md": (
        "# Model card\n<!-- portfolio:metrics:start -->\nAUC 0.91\n<!-- portfolio:metrics:end -->\n"
    ),
    "LICENSE": "MIT License\n",
    ".github/workflows/ci.yml": "name: ci\non: push\n",
    "tests/test_model.py": "def test_x() -> None:\n    assert True\n",
    "src/churn/train.py": "SEED = 1\n",
    "config.toml": "seed = 1\n",
    "reports/metrics.json": '{"roc_auc": 0.91}\n',
    ".gitignore": "data/raw/\nmodels/\n",
}


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def git(project: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=project, check=True, capture_output=True, text=True
    ).stdout


def write_provenance(project: Path, data: tuple[str, ...] = ()) -> None:
    """What a generated project's report step records (see _common's provenance.py).

    ``data`` names the data files the numbers came from, recorded as inputs too.
    """
    from portfolio.check import block_contents

    inputs = ["config.toml", "src/churn/train.py", *data]
    outputs = ["reports/metrics.json", "reports/figures/roc.png"]
    blocks = {
        doc: {
            name: _sha(content.encode("utf-8"))
            for name, content in block_contents((project / doc).read_text(encoding="utf-8")).items()
        }
        for doc in ("README.md", "MODEL_CARD.md")
    }
    data = {
        "schema": 1,
        "computed_at": "2026-11-25T10:00:00+00:00",
        "inputs": {n: _sha((project / n).read_bytes()) for n in inputs},
        "outputs": {n: _sha((project / n).read_bytes()) for n in outputs},
        "blocks": blocks,
    }
    (project / "reports" / "provenance.json").write_text(json.dumps(data), encoding="utf-8")


def build_ready_project(tmp_path: Path) -> Path:
    """Write a complete, committed project under ``tmp_path`` and return its folder."""
    project = tmp_path / "churn-radar"
    for name, text in FILES.items():
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text(text, encoding="utf-8")
    (project / "reports" / "figures").mkdir(parents=True)
    (project / "reports" / "figures" / "roc.png").write_bytes(b"\x89PNG\r\n\x1a\n fake")
    write_answers_file(project, AnswersFile("classifier-api", "0.1.0", {"project_name": "Churn"}))
    write_provenance(project)
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "ready")
    return project


def commit_all(project: Path) -> None:
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "change")


def findings(project: Path, rule: str) -> list[str]:
    report = check_project(project)
    return [
        f"{f.location()} {f.message}".strip()
        for r in report.results
        if r.rule == rule
        for f in r.findings
    ]
