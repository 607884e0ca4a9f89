"""classifier-api's own results site, built by `make all` and `make site`, in a real browser.

At the report's settings the explorer must show the report's business table (the chosen and
the default threshold, every policy's cost); moved elsewhere, it must show what the project's
Python computes there.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.browser import chromium, serve_folder
from tests.conftest import run_in_project

pytestmark = pytest.mark.slow

_SHOWN = {
    "false_positives_per_10k": "#fp-per-10k",
    "false_negatives_per_10k": "#fn-per-10k",
    "cost_per_period": "#cost-per-period",
}


@pytest.fixture(scope="module")
def built(generated: Callable[[str], Path]) -> Path:
    project = generated("classifier-api")
    run_in_project(project, "make", "all", "site", f"PYTHON={sys.executable}")
    return project


def _explorer_point(project: Path, **settings: float) -> dict[str, Any]:
    package = project.name.replace("-", "_")
    code = (
        "import json, sys; from pathlib import Path; "
        f"from {package}.explorer import explorer_point; "
        "data = json.loads(Path('reports/site-data.json').read_text()); "
        "print(json.dumps(explorer_point(data['interactive'], **json.loads(sys.argv[1]))))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, json.dumps(settings)],
        cwd=project,
        env={"PYTHONPATH": str(project / "src"), "PATH": ""},
        capture_output=True,
        text=True,
        check=True,
    )
    point: dict[str, Any] = json.loads(done.stdout)
    return point


def _shown(page: Any) -> dict[str, float]:
    return {key: float(page.get_attribute(sel, "data-value")) for key, sel in _SHOWN.items()}


def test_the_explorer_shows_the_reports_business_table_and_moves_with_it(built: Path) -> None:
    metrics = json.loads((built / "reports" / "metrics.json").read_text(encoding="utf-8"))
    business = metrics["business"]
    rows = {row["key"]: row for row in business["policies"]}
    errors: list[str] = []
    with chromium() as browser, serve_folder(built / "site") as url:
        page = browser.new_page()
        page.on("pageerror", lambda err: errors.append(str(err)))
        page.goto(url + "index.html")
        for button, row in (
            ("#use-chosen", rows["model"]),
            ("#use-default", rows["model_at_default"]),
        ):
            page.click(button)
            shown = _shown(page)
            for key in _SHOWN:
                assert shown[key] == pytest.approx(row[key], rel=1e-9), (button, key)
        best = rows[business["best_baseline"]]
        page.click("#use-chosen")
        assert float(page.get_attribute("#baseline-cost", "data-value")) == pytest.approx(
            best["cost_per_period"], rel=1e-9
        )

        page.fill("#threshold", "0.7")
        page.fill("#cost-fp", "40")
        want = _explorer_point(built, threshold=0.7, false_positive_cost=40.0)
        shown = _shown(page)
        for key in _SHOWN:
            assert shown[key] == pytest.approx(want[key], rel=1e-12), key
        assert page.text_content("#best-baseline") == want["best_baseline"]
    assert errors == []
    headline = metrics["headline"]["items"][0]
    page_html = (built / "site" / "index.html").read_text(encoding="utf-8")
    assert f'data-key="{headline["key"]}"' in page_html


def test_the_readme_says_where_its_links_will_come_from(built: Path) -> None:
    readme = (built / "README.md").read_text(encoding="utf-8")
    links = readme.split("<!-- portfolio:links:start -->")[1].split("<!-- portfolio:links:end -->")[
        0
    ]
    assert readme.index("portfolio:links:start") < readme.index("## Results at a glance")
    assert "portfolio publish --pages" in links and "github.com" not in links
