"""Tests for the static results site built from reports/ alone."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from {{cookiecutter.__package}}.site import (
    SITE_DATA,
    STATIC,
    SiteError,
    build_site,
    embed_json,
    links_markdown,
    project_links,
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


def _answers(root: Path, **answers: str) -> Path:
    defaults = {"project_name": "Churn risk", "project_slug": "churn-risk", "description": "d"}
    data = {"answers": {**defaults, **answers}}
    (root / ".portfolio.json").write_text(json.dumps(data), encoding="utf-8")
    return root


def _git(root: Path, *args: str) -> None:
    git = shutil.which("git")
    assert git is not None, "these tests need git"
    subprocess.run([git, *args], cwd=root, check=True, capture_output=True)  # noqa: S603


def test_links_come_from_the_answers_before_publishing(tmp_path: Path) -> None:
    links = project_links(_answers(tmp_path, github_username="Octo-Cat"))

    assert links.repository == "https://github.com/Octo-Cat/churn-risk"
    assert links.pages == "https://octo-cat.github.io/churn-risk/"
    assert f"{links.repository}/actions/workflows/ci.yml/badge.svg" in links_markdown(links)


@pytest.mark.parametrize(
    "origin",
    [
        "https://github.com/acme/churn-model.git",
        "git@github.com:acme/churn-model.git",
        "ssh://git@github.com/acme/churn-model",
    ],
)
def test_links_follow_the_github_origin_once_published(tmp_path: Path, origin: str) -> None:
    _answers(tmp_path, github_username="someone-else")
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "remote", "add", "origin", origin)

    links = project_links(tmp_path)

    assert links.repository == "https://github.com/acme/churn-model"
    assert links.pages == "https://acme.github.io/churn-model/"


def test_no_links_are_made_from_the_placeholder_user(tmp_path: Path) -> None:
    links = project_links(_answers(tmp_path, github_username="your-github-username"))

    assert links.repository is None and links.pages is None
    assert "portfolio publish --pages" in links_markdown(links)


def test_the_render_button_is_offered_only_where_asked(tmp_path: Path) -> None:
    links = project_links(_answers(tmp_path, github_username="octo"))

    assert "render.com/deploy?repo=https://github.com/octo/churn-risk" in links_markdown(
        links, deploy_to_render=True
    )
    assert "render.com" not in links_markdown(links)
