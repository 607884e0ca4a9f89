"""nlp-pipeline's results site, in a real browser, shows what the project's report computed.

Two projects are generated and run as a user runs them (``make all``, then ``make site``), and
each ``site/index.html`` is served on loopback and driven in headless Chromium:

- the bundled two-class default: at the report's own settings the threshold and cost
  explorer shows the numbers of metrics.json's comparison table; at other thresholds and
  prices it shows what the project's ``explorer_point`` computes; and the error browser below
  it lists exactly the test messages the model got wrong (``Evaluation.misclassified``), surest
  first, with their classes, scores and the features the project exported;
- four news topics (the owner's data of test_owner_nlp_pipeline, every title opening with
  HTML markup): no explorer, and every cell of the confusion matrix, when clicked, lists the
  very texts behind it, markup shown as text and never run.
"""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.browser import chromium, serve_folder
from tests.conftest import generate, run_in_project
from tests.test_owner_nlp_pipeline import NEWS_CHANGES, NEWS_TABLES, _configure, _write_news
from tests.test_site_explorer_browser import _INPUTS, _OUTPUTS, _read

pytestmark = pytest.mark.slow

PACKAGE = "text_classification_pipeline"
# Settings a reader might choose: a threshold, and prices or volume (left out: the report's).
SETTINGS = [
    {"threshold": 0.05},
    {"threshold": 0.9, "false_negative_cost": 3.0},
    {"threshold": 0.3, "false_positive_cost": 0.25, "cases_per_period": 2500.0},
    {"threshold": 1.0, "false_positive_cost": 0.0, "false_negative_cost": 50.0},
]
# The explorer's names of the report's baselines.
_BASELINES = {
    "keywords": "keyword rule",
    "act_on_no_one": "act on no one",
    "act_on_everyone": "act on everyone",
}
# Markup in every article's title: the page must show it as text, never build it.
MARKUP = '<img src="x" onerror="document.title=\'ran\'"> <b>&amp;</b>'
# Characters of each text the page shows (errorbrowser.TEXT_LIMIT).
TEXT_LIMIT = 600

_PYTHON_SIDE = """
import json, sys
from {package}.config import load_config
from {package}.evaluate import evaluate
from {package}.explorer import explorer_point

settings = json.loads(sys.argv[1])
data = json.load(open("reports/site-data.json", encoding="utf-8"))
interactive = data["interactive"]
points = []
if interactive["kind"] == "binary-explorer":
    points = [explorer_point(interactive, **s) for s in settings]
wrong = evaluate(load_config("config.toml")).misclassified()
print(json.dumps({{"points": points, "wrong": wrong}}))
"""


def _python_side(project: Path, settings: list[dict[str, Any]]) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, "-c", _PYTHON_SIDE.format(package=PACKAGE), json.dumps(settings)],
        cwd=project,
        env={"PYTHONPATH": str(project / "src"), "PATH": ""},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def _build(project: Path) -> dict[str, Any]:
    run_in_project(project, "make", "all", f"PYTHON={sys.executable}")
    run_in_project(project, "make", "site", f"PYTHON={sys.executable}")
    return json.loads((project / "reports" / "metrics.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def binary(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any], dict]:
    project = generate("nlp-pipeline", tmp_path_factory.mktemp("nlp-site"), init_git=False).path
    metrics = _build(project)
    return project, metrics, _python_side(project, SETTINGS)


def _with_markup(path: Path) -> None:
    """Put ``MARKUP`` before every title: in every text, it tells the model nothing."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, quoting=csv.QUOTE_ALL).writerows(
            [label, f"{MARKUP} {title}", body] for label, title, body in rows
        )


@pytest.fixture(scope="module")
def topics(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any], dict]:
    project = generate("nlp-pipeline", tmp_path_factory.mktemp("news-site"), init_git=False).path
    news = project / "data" / "raw" / "news.csv"
    _write_news(news)
    _with_markup(news)
    config = project / "config.toml"
    text = config.read_text(encoding="utf-8")
    # Two-class keys and the sample's datasheet go, as test_owner_nlp_pipeline's owner does.
    text = re.sub(r"^(positive|action|about) = .*\n", "", text, flags=re.M)
    config.write_text(text, encoding="utf-8")
    _configure(project, NEWS_CHANGES, NEWS_TABLES)
    metrics = _build(project)
    return project, metrics, _python_side(project, [])


def _page(browser: Any, url: str, errors: list[str]) -> Any:
    page = browser.new_page()
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.goto(url + "index.html")
    return page


def _listed(page: Any) -> list[dict[str, Any]]:
    return page.eval_on_selector_all(
        "#error-list li.mistake",
        """items => items.map(li => ({
            text: li.querySelector("blockquote").textContent,
            true: li.querySelector(".true").textContent,
            given: li.querySelector(".given").textContent,
            score: Number(li.querySelector(".score").dataset.value),
            origin: li.dataset.origin,
            features: [...li.querySelectorAll(".feature")].map(f => f.textContent),
        }))""",
    )


def _expected(wrong: list[dict[str, Any]], cut: int = TEXT_LIMIT) -> list[dict[str, Any]]:
    return [
        {
            "text": w["text"][:cut] + ("…" if len(w["text"]) > cut else ""),
            "true": w["true"],
            "given": w["given"],
            "score": w["score"],
            "origin": w["origin"],
        }
        for w in wrong
    ]


def test_the_explorer_opens_on_the_reports_own_numbers(binary) -> None:
    project, metrics, _ = binary
    rows = {row["policy"]: row for row in metrics["comparison"]["policies"]}
    best = rows[metrics["comparison"]["best_baseline"]]
    errors: list[str] = []
    with chromium() as browser, serve_folder(project / "site") as url:
        page = _page(browser, url, errors)
        shown = _read(page)
        threshold = float(page.get_attribute("#threshold-value", "data-value"))
        cases = page.input_value("#cases")
        label = page.text_content("#interactive .controls")
    assert threshold == metrics["model"]["decision"]["threshold"]
    assert shown["false_positives_per_10k"] == pytest.approx(
        rows["model"]["false_positives_per_10k"]
    )
    assert shown["false_negatives_per_10k"] == pytest.approx(
        rows["model"]["false_negatives_per_10k"]
    )
    assert shown["cost_per_period"] == pytest.approx(rows["model"]["cost_per_10k"])
    assert shown["best_baseline"] == _BASELINES[best["policy"]]
    assert shown["best_baseline_cost"] == pytest.approx(best["cost_per_10k"])
    assert shown["saving"] == pytest.approx(best["saving"]["estimate"])
    assert cases == "10000" and "Messages per month" in label
    assert errors == []


def test_every_number_moves_as_the_project_computes_it(binary) -> None:
    project, metrics, python = binary
    prices = {
        "false_positive_cost": metrics["model"]["costs"]["matrix"]["ham"]["spam"],
        "false_negative_cost": metrics["model"]["costs"]["matrix"]["spam"]["ham"],
        "cases_per_period": 10000.0,
    }
    errors: list[str] = []
    with chromium() as browser, serve_folder(project / "site") as url:
        page = _page(browser, url, errors)
        for setting, want in zip(SETTINGS, python["points"], strict=True):
            page.fill("#threshold", str(setting["threshold"]))
            for key, selector in _INPUTS.items():
                page.fill(selector, str(setting.get(key, prices[key])))
            shown = _read(page)
            assert shown["best_baseline"] == want["best_baseline"], setting
            for key in _OUTPUTS:
                assert shown[key] == pytest.approx(want[key], rel=1e-12, abs=1e-9), (key, setting)
    assert errors == []


def test_the_error_browser_lists_the_reports_mistakes(binary) -> None:
    project, metrics, python = binary
    wrong = python["wrong"]
    exported = json.loads((project / "reports" / "site-data.json").read_text(encoding="utf-8"))
    features = [
        [f"“{f['feature']}”" if f["kind"] == "char" else f["feature"] for f in e["features"]]
        for e in exported["interactive"]["errors"]["shown"]
    ]
    errors: list[str] = []
    with chromium() as browser, serve_folder(project / "site") as url:
        page = _page(browser, url, errors)
        listed = _listed(page)
        note = page.text_content("#error-filter")
        cells = page.eval_on_selector_all(
            "#confusion tbody tr", "rows => rows.map(r => [...r.cells].map(c => c.textContent))"
        )
    confusion = metrics["test"]["confusion"]
    assert 0 < len(wrong) <= 200
    assert [{k: v for k, v in item.items() if k != "features"} for item in listed] == _expected(
        wrong
    )
    assert [item["features"] for item in listed] == features
    assert any(features)
    assert note == f"All {len(wrong)} mistakes, surest first."
    assert cells == [
        [name, *map(str, row)] for name, row in zip(metrics["classes"], confusion, strict=True)
    ]
    assert errors == []


def test_each_cell_of_the_confusion_matrix_lists_the_texts_behind_it(topics) -> None:
    project, metrics, python = topics
    classes = metrics["classes"]
    confusion = metrics["test"]["confusion"]
    wrong = python["wrong"]
    assert len(classes) == 4 and 0 < len(wrong) <= 200
    errors: list[str] = []
    seen = 0
    with chromium() as browser, serve_folder(project / "site") as url:
        page = _page(browser, url, errors)
        assert page.query_selector("#threshold") is None
        for i, true in enumerate(classes):
            for j, given in enumerate(classes):
                selector = f'#confusion button[data-true="{true}"][data-given="{given}"]'
                if i == j or not confusion[i][j]:
                    assert page.query_selector(selector) is None
                    continue
                page.click(selector)
                behind = [w for w in wrong if (w["true"], w["given"]) == (true, given)]
                listed = _listed(page)
                assert [{k: v for k, v in x.items() if k != "features"} for x in listed] == (
                    _expected(behind)
                ), (true, given)
                assert len(listed) == confusion[i][j]
                seen += len(listed)
        page.click("#show-all-errors")
        assert len(_listed(page)) == len(wrong) == seen
        title = page.title()
        markup = page.eval_on_selector_all(
            "#error-list img, #error-list b", "nodes => nodes.length"
        )
    assert all(w["text"].startswith(MARKUP) for w in wrong)
    assert title != "ran" and markup == 0
    assert errors == []
