"""The recommender's results site, in a real browser, shows what the project's Python computed.

A recommender project is generated with its defaults (the bundled sample), ``make all`` and
``make site`` run as a user would run them, and the built page is driven in headless Chromium
over loopback: for each chosen user, every model's list (titles, order and the ticks for items
chosen in the test period) equals what the project's own evaluation code recommends for that
user with the saved model, computed afresh here; every metric beside the lists equals
``metrics.json``'s, shown as the project's ``format_count`` writes it; and the cold-start
answers equal the served cold-start model's.
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

# Recomputes, with the project's own modules and saved models, what the page must show:
# the lists as evaluate scores them (score_group over the whole group, so the random
# baseline's seeded lists are the judged ones), each item's title and whether the user
# chose it in the period, and each metric's text as the reports format numbers.
_EXPECTED = """
import json, sys
from {package}.business import format_count
from {package}.config import load_config
from {package}.models import load_model
from {package}.prepare import load_dataset
from {package}.scoring import Catalogue, score_group
from {package}.userlists import METRICS_SHOWN

config = load_config()
dataset = load_dataset(config)
phase = dataset.phase("test")
metrics = json.loads((config.reports_dir / "metrics.json").read_text(encoding="utf-8"))
k = metrics["k"]
catalogue = Catalogue.of(phase.fit, dataset.features)
warm_ids, cold_ids = json.loads(sys.argv[1]), json.loads(sys.argv[2])


def lists(model, group, ids):
    saved = load_model(config.models_dir / f"{{model}}.skops")
    recs = score_group(saved, group, k=k, catalogue=catalogue).recs
    rows = {{str(dataset.user_ids[row]): i for i, row in enumerate(group.users)}}
    return {{
        user: [
            [str(dataset.titles[item]), bool(group.targets[rows[user], item])]
            for item in recs[rows[user]]
        ]
        for user in ids
    }}


def shown(value, scale, unit):
    return format_count(value * scale) + unit


texts = {{}}
for name, entry in metrics["models"].items():
    texts[name] = {{}}
    for key, path, _, scale, unit in METRICS_SHOWN:
        value = entry
        for step in path:
            value = value[step]
        interval = value if isinstance(value, dict) else {{"estimate": value}}
        text = shown(interval["estimate"], scale, unit)
        if interval.get("low") is not None:
            low, high = (shown(interval[e], scale, "") for e in ("low", "high"))
            text += f" [{{low}}, {{high}}]"
        texts[name][key] = text
print(json.dumps({{
    "warm": {{m: lists(m, phase.warm, warm_ids) for m in metrics["models"]}},
    "cold": lists(metrics["served"]["cold_start_model"], phase.cold, cold_ids),
    "texts": texts,
}}))
"""


@pytest.fixture(scope="module")
def site(generated: Callable[[str], Path]) -> dict[str, Any]:
    project = generated("recommender")
    run_in_project(project, "make", "all", f"PYTHON={sys.executable}")
    run_in_project(project, "make", "site", f"PYTHON={sys.executable}")
    data = json.loads((project / "reports" / "site-data.json").read_text(encoding="utf-8"))
    users = [user["id"] for user in data["interactive"]["users"]]
    # The first, a middle and the last user of the exported sample, and every cold-start one.
    chosen = [users[0], users[len(users) // 2], users[-1]]
    cold = [user["id"] for user in data["interactive"]["cold_start"]["users"]]
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            _EXPECTED.format(package=project.name.replace("-", "_")),
            json.dumps(chosen),
            json.dumps(cold),
        ],
        cwd=project,
        env={"PYTHONPATH": str(project / "src"), "PATH": ""},
        capture_output=True,
        text=True,
        check=True,
    )
    metrics = json.loads((project / "reports" / "metrics.json").read_text(encoding="utf-8"))
    return {
        "folder": project / "site",
        "metrics": metrics,
        "users": chosen,
        "cold_users": cold,
        "expected": json.loads(result.stdout),
    }


def _shown_list(page: Any, selector: str) -> list[list[Any]]:
    return page.eval_on_selector_all(
        f"{selector} li",
        "items => items.map(li => [li.querySelector('.rec-title').textContent,"
        " li.dataset.hit === 'true'])",
    )


def _metric_lookup(entry: dict[str, Any], path: list[str]) -> dict[str, Any]:
    value: Any = entry
    for step in path:
        value = value[step]
    return value if isinstance(value, dict) else {"estimate": value}


def test_each_models_list_for_a_chosen_user_is_what_the_project_recommends(
    site: dict[str, Any],
) -> None:
    expected = site["expected"]["warm"]
    errors: list[str] = []
    with chromium() as browser, serve_folder(site["folder"]) as url:
        page = browser.new_page()
        page.on("pageerror", lambda err: errors.append(str(err)))
        page.goto(url + "index.html")
        page.wait_for_selector("#rec-models .rec-model")
        for user in site["users"]:
            page.select_option("#rec-user", user)
            for model, lists in expected.items():
                want = lists[user]
                assert _shown_list(page, f"#rec-list-{model}") == want, (user, model)
                hits = sum(hit for _, hit in want)
                assert page.get_attribute(f"#rec-hits-{model}", "data-value") == str(hits)
    assert errors == []


def test_the_metrics_beside_the_lists_are_metrics_json_s(site: dict[str, Any]) -> None:
    metrics = site["metrics"]
    texts = site["expected"]["texts"]
    with chromium() as browser, serve_folder(site["folder"]) as url:
        page = browser.new_page()
        page.goto(url + "index.html")
        page.wait_for_selector("#rec-models .rec-model")
        shown = page.eval_on_selector_all(
            ".rec-model",
            """columns => columns.map(c => [c.dataset.model, [...c.querySelectorAll('dd')].map(
                dd => {
                  const value = dd.querySelector('.rec-metric');
                  const interval = dd.querySelector('.interval');
                  return {key: value.dataset.key, value: Number(value.dataset.value),
                          low: interval ? Number(interval.dataset.low) : null,
                          high: interval ? Number(interval.dataset.high) : null,
                          text: dd.textContent};
                })])""",
        )
    assert [model for model, _ in shown] == list(metrics["models"])
    paths = {
        "ndcg": ["accuracy", "ndcg"],
        "hit_rate": ["accuracy", "hit_rate"],
        "coverage": ["beyond_accuracy", "coverage"],
        "novelty": ["beyond_accuracy", "novelty"],
        "long_tail": ["beyond_accuracy", "long_tail"],
        "cold_start_ndcg": ["cold_start", "ndcg"],
    }
    for model, values in shown:
        assert [v["key"] for v in values] == list(paths), model
        for value in values:
            want = _metric_lookup(metrics["models"][model], paths[value["key"]])
            assert value["value"] == want["estimate"], (model, value["key"])
            assert (value["low"], value["high"]) == (want.get("low"), want.get("high"))
            assert value["text"] == texts[model][value["key"]], (model, value["key"])


def test_the_cold_start_answers_are_the_served_cold_start_models(site: dict[str, Any]) -> None:
    metrics = site["metrics"]
    model = metrics["served"]["cold_start_model"]
    expected = site["expected"]["cold"]
    with chromium() as browser, serve_folder(site["folder"]) as url:
        page = browser.new_page()
        page.goto(url + "index.html")
        page.wait_for_selector("#rec-cold-list")
        assert f"'{model}'" in page.inner_text("#rec-cold-start")
        shown_ndcg = page.get_attribute("#rec-cold-metrics [data-key=ndcg]", "data-value")
        assert (
            float(shown_ndcg or "nan") == metrics["models"][model]["cold_start"]["ndcg"]["estimate"]
        )
        for user in site["cold_users"]:
            page.select_option("#rec-cold-user", user)
            assert _shown_list(page, "#rec-cold-list") == expected[user], user
            given = page.eval_on_selector_all("#rec-cold-given li", "items => items.length")
            assert given == metrics["cold_start_known"]


def test_the_page_works_from_a_file_url_with_nothing_fetched(site: dict[str, Any]) -> None:
    requests: list[str] = []
    user = site["users"][-1]
    model = site["metrics"]["served"]["model"]
    with chromium() as browser:
        page = browser.new_page()
        page.on("request", lambda request: requests.append(request.url))
        page.goto((site["folder"] / "index.html").as_uri())
        page.select_option("#rec-user", user)
        assert _shown_list(page, f"#rec-list-{model}") == site["expected"]["warm"][model][user]
    assert all(url.startswith("file://") for url in requests), requests
