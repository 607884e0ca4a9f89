"""The API's own demo page at ``/``: what a reviewer opens first, and can use at once.

It is the results site's page (``site.render_page``: the headline with its intervals, the
figures and the interactive part, from ``reports/site-data.json`` once the report has run)
with a form that calls the API placed above the interactive part. The form is built in the
browser from the API's own OpenAPI schema, so its fields, bounds and example values are the
model's request schema, never a copy that could drift. Nothing is fetched from another host:
the scripts and styles are this package's ``static/`` files, mounted at ``/assets``.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles

from .site import STATIC, SiteError, embed_json, interactive_scripts, read_site_data, render_page

__all__ = ["DEMO_SCRIPT", "add_demo_page", "page_data"]

DEMO_SCRIPT = "api-demo.js"


def page_data(root: Path, *, title: str, description: str) -> dict[str, Any]:
    """Return the site data for the page: the report's, or the API's own title before it runs.

    A deployed image or a fresh clone has no ``reports/`` yet; the page then still serves the
    form, under the API's title, rather than failing.
    """
    try:
        return read_site_data(root)
    except SiteError:
        return {"schema": 1, "project": {"title": title, "description": description}}


def _figure_files(root: Path, data: Mapping[str, Any]) -> dict[str, Path]:
    """Map the figures the site data lists by file name: the only files the page may serve."""
    return {
        Path(str(figure["path"])).name: root / str(figure["path"])
        for figure in data.get("figures", [])
    }


def _form_html(operation: str, words: Mapping[str, str]) -> str:
    return (
        f'<section id="try" data-operation="{html.escape(operation)}">'
        "<h2>Try the model</h2>"
        "<p class=note>The fields and their example values come from this API's own schema "
        '(<a href="docs">/docs</a> has every endpoint).</p>'
        f'<script id="demo-words" type="application/json">{embed_json(dict(words))}</script>'
        "</section>"
    )


def add_demo_page(
    app: FastAPI,
    *,
    root: Path,
    operation: str,
    words: Callable[[], Mapping[str, str]] = dict,
) -> None:
    """Serve the demo page at ``/`` for ``operation`` (``"POST /predict"``), with its assets.

    ``root`` is the project folder whose ``reports/`` the page shows; ``words`` returns, per
    request, names the answer is phrased in (a classifier's ``positive`` and ``negative``),
    since they may only be known once the model has loaded.
    """
    app.mount("/assets", StaticFiles(directory=STATIC), name="assets")

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def demo_page() -> HTMLResponse:
        data = page_data(root, title=app.title, description=app.description)
        page = render_page(
            data,
            assets="assets/",
            figure_url=lambda path: f"figures/{Path(path).name}",
            scripts=[*interactive_scripts(data), DEMO_SCRIPT],
            extra_html=_form_html(operation, words()),
        )
        return HTMLResponse(page)

    @app.get("/figures/{name}", include_in_schema=False)
    def figure(name: str) -> FileResponse:
        path = _figure_files(root, page_data(root, title="", description="")).get(name)
        if path is None or not path.is_file():
            raise HTTPException(status_code=404, detail="no such figure in the last report")
        return FileResponse(path)
