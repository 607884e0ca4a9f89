"""The threshold and cost explorer, in a real browser, shows what the project's Python computes.

A generated classifier project exports explorer data for a synthetic test set, builds its
static site with its own ``site`` module, and the page is driven in headless Chromium: at
each setting of the threshold, the two error costs and the volume, every number the page
shows equals ``explorer_point`` computed by the project's Python.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.browser import chromium, serve_folder
from tests.conftest import generate

pytestmark = pytest.mark.slow

SETTINGS = [
    {"threshold": 0.5},
    {"threshold": 0.0},
    {"threshold": 1.0},
    {"threshold": 0.237, "false_positive_cost": 40.0},
    {"threshold": 0.812, "false_negative_cost": 5.5, "cases_per_period": 12345.0},
    {"threshold": 0.3, "false_positive_cost": 0.0, "false_negative_cost": 1000.0},
]
_INPUTS = {
    "false_positive_cost": "#cost-fp",
    "false_negative_cost": "#cost-fn",
    "cases_per_period": "#cases",
}
_OUTPUTS = {
    "false_positives_per_10k": "#fp-per-10k",
    "false_negatives_per_10k": "#fn-per-10k",
    "cost_per_period": "#cost-per-period",
    "best_baseline_cost": "#baseline-cost",
    "saving": "#saving",
}

_EXPORT = """
import json, sys
import numpy as np
from {package}.explorer import explorer_payload, explorer_point
from {package}.figures import new_figure, save_figure
from pathlib import Path

rng = np.random.default_rng(3)
y = rng.random(900) < 0.3
scores = np.clip(0.35 * y + rng.normal(0.35, 0.2, size=y.size), 0, 1)
keyword = rng.random(y.size) < np.where(y, 0.6, 0.1)
payload = explorer_payload(
    y, scores, false_positive_cost=100.0, false_negative_cost=300.0, currency="EUR",
    cases_per_period=10000.0, period="month", chosen_threshold=0.232,
    names={{"positive": "churners", "negative": "loyal customers", "case": "customers"}},
    baselines={{"keyword rule": keyword}},
)
fig, ax = new_figure()
ax.plot([0, 1], [1, 0])
save_figure(fig, Path("reports/figures/curve.png"))
data = {{
    "schema": 1,
    "project": {{"title": "Churn risk", "description": "Who leaves next month."}},
    "headline": {{"items": []}},
    "figures": [{{"path": "reports/figures/curve.png", "caption": "a line"}}],
    "interactive": payload,
}}
Path("reports/site-data.json").write_text(json.dumps(data), encoding="utf-8")
settings = json.loads(sys.argv[1])
print(json.dumps([explorer_point(payload, **s) for s in settings]))
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, Any]]]:
    project = generate("classifier-api", tmp_path_factory.mktemp("explorer"), init_git=False).path
    package = project.name.replace("-", "_")
    (project / "reports" / "figures").mkdir(parents=True, exist_ok=True)
    env = {"PYTHONPATH": str(project / "src"), "PATH": ""}
    exported = subprocess.run(
        [sys.executable, "-c", _EXPORT.format(package=package), json.dumps(SETTINGS)],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    subprocess.run([sys.executable, "-m", f"{package}.site"], cwd=project, env=env, check=True)
    return project / "site", json.loads(exported.stdout)


def _read(page: Any) -> dict[str, Any]:
    shown = {key: float(page.get_attribute(sel, "data-value")) for key, sel in _OUTPUTS.items()}
    shown["best_baseline"] = page.text_content("#best-baseline")
    return shown


def test_every_number_shown_equals_the_reports_at_each_setting(
    site: tuple[Path, list[dict[str, Any]]],
) -> None:
    folder, expected = site
    errors: list[str] = []
    with chromium() as browser, serve_folder(folder) as url:
        page = browser.new_page()
        page.on("pageerror", lambda err: errors.append(str(err)))
        page.goto(url + "index.html")
        for setting, want in zip(SETTINGS, expected, strict=True):
            page.fill("#threshold", str(setting["threshold"]))
            for key, selector in _INPUTS.items():
                default = {"false_positive_cost": 100.0, "false_negative_cost": 300.0}
                page.fill(selector, str(setting.get(key, default.get(key, 10000.0))))
            shown = _read(page)
            assert shown["best_baseline"] == want["best_baseline"], setting
            for key in _OUTPUTS:
                assert shown[key] == pytest.approx(want[key], rel=1e-12, abs=1e-9), (key, setting)
        assert page.text_content("#verdict")
    assert errors == []


def test_the_chosen_and_default_buttons_move_the_threshold(
    site: tuple[Path, list[dict[str, Any]]],
) -> None:
    folder, _ = site
    with chromium() as browser, serve_folder(folder) as url:
        page = browser.new_page()
        page.goto(url + "index.html")
        page.click("#use-default")
        assert page.get_attribute("#threshold-value", "data-value") == "0.5"
        page.click("#use-chosen")
        assert page.get_attribute("#threshold-value", "data-value") == "0.232"


def test_the_site_works_from_a_file_url_with_no_server(
    site: tuple[Path, list[dict[str, Any]]],
) -> None:
    folder, expected = site
    requests: list[str] = []
    with chromium() as browser:
        page = browser.new_page()
        page.on("request", lambda request: requests.append(request.url))
        page.goto((folder / "index.html").as_uri())
        page.fill("#threshold", "0.5")
        assert float(page.get_attribute("#cost-per-period", "data-value")) == pytest.approx(
            expected[0]["cost_per_period"], rel=1e-12
        )
        assert page.is_visible("#cost-curve path")
    assert all(url.startswith("file://") for url in requests), requests


FORMAT_VALUES = [
    0.125,
    0.375,
    150.5,
    151.5,
    12.25,
    12.35,
    -0.0001,
    1234567.0,
    1e-4,
    99.95,
    999.5,
    -2.5,
    2.675,
    0.0005,
    1015.5,
    10.05,
    100.0,
    -1234.5,
    0.3333333,
]


def test_numbers_are_formatted_exactly_as_the_python_reports_do(
    site: tuple[Path, list[dict[str, Any]]],
) -> None:
    folder, _ = site
    project = folder.parent
    package = project.name.replace("-", "_")
    python_side = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import json, sys; from {package}.business import format_count; "
            "print(json.dumps([format_count(v) for v in json.loads(sys.argv[1])]))",
            json.dumps(FORMAT_VALUES),
        ],
        env={"PYTHONPATH": str(project / "src"), "PATH": ""},
        capture_output=True,
        text=True,
        check=True,
    )
    with chromium() as browser:
        page = browser.new_page()
        page.goto((folder / "index.html").as_uri())
        shown = page.evaluate("values => values.map(Portfolio.formatCount)", FORMAT_VALUES)
    assert shown == json.loads(python_side.stdout)
