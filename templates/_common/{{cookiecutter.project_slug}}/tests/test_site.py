"""Tests for the static results site built from reports/ alone."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from {{cookiecutter.__package}}.site import (
    SITE_DATA,
    STATIC,
    SiteError,
    build_site,
    embed_json,
)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


def _project(tmp_path: Path, **changes: object) -> Path:
    (tmp_path / "reports" / "figures").mkdir(parents=True)
    (tmp_path / "reports" / "figures" / "curve.png").write_bytes(PNG)
    data = {
        "schema": 1,
        "project": {"title": "Churn </script> <b>risk</b>", "description": "Who leaves next."},
        "headline": {
            "baseline": "act on no one",
            "items": [
                {
                    "key": "saving",
                    "label": "Saving a month",
                    "estimate": 1234.5,
                    "low": 100.0,
                    "high": 2400.0,
                    "unit": "EUR a month",
                    "text": "saves 1,234 [100, 2,400] EUR a month",
                }
            ],
        },
        "figures": [{"path": "reports/figures/curve.png", "caption": "cost is lowest at 0.23"}],
        "interactive": {"kind": "no-such-widget"},
        **changes,
    }
    (tmp_path / SITE_DATA).write_text(json.dumps(data), encoding="utf-8")
    return tmp_path


def test_the_site_has_the_page_its_assets_and_figures(tmp_path: Path) -> None:
    site = build_site(_project(tmp_path))

    files = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}
    assert {
        ".nojekyll",
        "index.html",
        "figures/curve.png",
        "assets/site.css",
        "assets/site.js",
    } <= files
    assert {name for name in files if name.startswith("assets/")} == {
        f"assets/{p.name}" for p in STATIC.iterdir() if p.suffix in {".js", ".css"}
    }
    page = (site / "index.html").read_text(encoding="utf-8")
    assert 'src="figures/curve.png"' in page
    assert "1,234 <span class=interval>[100, 2,400]</span>" in page
    assert "saves 1,234 [100, 2,400] EUR a month" in page


def test_user_text_cannot_close_the_script_or_inject_markup(tmp_path: Path) -> None:
    page = (build_site(_project(tmp_path)) / "index.html").read_text(encoding="utf-8")

    assert "<b>risk</b>" not in page
    assert page.count("</script>") == page.count("<script")
    embedded = re.search(
        r'<script id="site-data" type="application/json">(.*?)</script>', page, re.S
    )
    assert embedded is not None
    assert json.loads(embedded[1])["project"]["title"] == "Churn </script> <b>risk</b>"


def test_nothing_is_fetched_from_a_network(tmp_path: Path) -> None:
    page = (build_site(_project(tmp_path)) / "index.html").read_text(encoding="utf-8")

    assert not re.search(r'(src|href)="(https?:)?//', page)


def test_no_report_yet_says_what_to_run(tmp_path: Path) -> None:
    with pytest.raises(SiteError, match="make all"):
        build_site(tmp_path)


def test_a_failed_build_leaves_the_previous_site_whole(tmp_path: Path) -> None:
    project = _project(tmp_path)
    site = build_site(project)
    before = (site / "index.html").read_text(encoding="utf-8")
    (project / "reports" / "figures" / "curve.png").unlink()

    with pytest.raises(SiteError, match="figure"):
        build_site(project)

    assert (site / "index.html").read_text(encoding="utf-8") == before
    assert [p.name for p in project.iterdir() if p.name.startswith(".")] == []


def test_embedded_json_stays_valid_json() -> None:
    text = embed_json({"a": "</script><!-- & -->"})

    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == {"a": "</script><!-- & -->"}
