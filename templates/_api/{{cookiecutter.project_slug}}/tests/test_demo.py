"""The API's demo page: served at /, its scripts mounted, only the report's figures reachable."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from {{cookiecutter.__package}}.api import (
    create_app,
)
from {{cookiecutter.__package}}.demo import (
    DEMO_SCRIPT,
    add_demo_page,
)
from {{cookiecutter.__package}}.site import (
    SITE_DATA,
)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


def _app(root: Path) -> FastAPI:
    app = FastAPI(title="Churn </b> risk", description="Who leaves next.")

    @app.get("/things/{thing_id}")
    def thing(thing_id: str) -> dict[str, str]:
        return {"thing_id": thing_id}

    add_demo_page(
        app, root=root, operation="GET /things/{thing_id}", words=lambda: {"positive": "churn"}
    )
    return app


def test_before_the_report_runs_the_page_serves_the_form_under_the_apis_title(
    tmp_path: Path,
) -> None:
    with TestClient(_app(tmp_path)) as client:
        page = client.get("/")
        assert page.status_code == 200
        assert "<h1>Churn &lt;/b&gt; risk</h1>" in page.text
        assert "<p class=lead>Who leaves next.</p>" in page.text
        assert 'data-operation="GET /things/{thing_id}"' in page.text
        words = re.search(r'<script id="demo-words" [^>]*>(.*?)</script>', page.text)
        assert words is not None and json.loads(words.group(1)) == {"positive": "churn"}
        for asset in ("site.js", "site.css", DEMO_SCRIPT):
            assert f'assets/{asset}"' in page.text
            assert client.get(f"/assets/{asset}").status_code == 200
        assert "/" not in client.get("/openapi.json").json()["paths"]


def test_the_page_shows_the_last_report_and_serves_only_its_figures(tmp_path: Path) -> None:
    (tmp_path / "reports" / "figures").mkdir(parents=True)
    (tmp_path / "reports" / "figures" / "curve.png").write_bytes(PNG)
    (tmp_path / "reports" / "secret.png").write_bytes(PNG)
    data = {
        "schema": 1,
        "project": {"title": "From the report", "description": ""},
        "figures": [{"path": "reports/figures/curve.png", "caption": "Cost falls."}],
    }
    (tmp_path / SITE_DATA).write_text(json.dumps(data), encoding="utf-8")
    with TestClient(_app(tmp_path)) as client:
        page = client.get("/").text
        assert "<h1>From the report</h1>" in page and 'src="figures/curve.png"' in page
        assert client.get("/figures/curve.png").content == PNG
        assert client.get("/figures/secret.png").status_code == 404
        assert client.get("/figures/..%2Fsecret.png").status_code == 404


def test_the_projects_api_names_one_of_its_own_operations(tmp_path: Path) -> None:
    with TestClient(create_app()) as client:
        page = client.get("/")
        assert page.status_code == 200
        operation = re.search(r'data-operation="([^"]+)"', page.text)
        assert operation is not None
        method, path = html.unescape(operation.group(1)).split(" ")
        assert method.lower() in client.get("/openapi.json").json()["paths"][path]
