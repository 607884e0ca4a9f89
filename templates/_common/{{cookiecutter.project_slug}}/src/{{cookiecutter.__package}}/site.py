"""Build the static results site, ``site/``, from ``reports/`` alone: what GitHub Pages serves.

A hiring manager moves most when they can use the project, not only read it. The site shows
the headline results with their intervals and the figures, and an interactive part that the
browser computes from data the report step exported (``reports/site-data.json``).

It must work from ``file://`` and from any static host with nothing fetched from a network:
no CDN, and no ``fetch()`` of JSON (browsers refuse it from ``file://``). So the data is
embedded in the page, the scripts and styles are files of this package (``static/``), and the
figures are copied beside the page. Only the standard library is used, so the Pages workflow
builds the site without installing the project.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .business import format_count

__all__ = [
    "SITE_DATA",
    "STATIC",
    "ProjectLinks",
    "SiteError",
    "build_site",
    "embed_json",
    "links_markdown",
    "project_links",
    "render_page",
]

SITE_DATA = Path("reports") / "site-data.json"
STATIC = Path(__file__).with_name("static")
SHARED_SCRIPT = "site.js"
STYLESHEET = "site.css"


# The answer `portfolio new` offers before the owner gives theirs: no link can be built on it.
_PLACEHOLDER_USER = "your-github-username"
_GITHUB_REMOTE = re.compile(
    r"^(?:https://(?:[^@/]+@)?github\.com/|git@github\.com:|ssh://git@github\.com/)"
    r"(?P<owner>[A-Za-z0-9-]+)/(?P<repo>[A-Za-z0-9._-]+?)(?:\.git)?/?$"
)


class SiteError(RuntimeError):
    """The report has not been run, or its site data is unreadable."""


@dataclass(frozen=True)
class ProjectLinks:
    """Where the project lives on GitHub, and the addresses that follow from it."""

    title: str
    description: str
    owner: str | None
    repository: str | None

    @property
    def pages(self) -> str | None:
        """The GitHub Pages address the CI workflow deploys the site to."""
        if self.owner is None or self.repository is None:
            return None
        return f"https://{self.owner.lower()}.github.io/{self.repository.rsplit('/', 1)[1]}/"

    def to_dict(self) -> dict[str, str | None]:
        """Return the ``project`` object of ``reports/site-data.json``."""
        return {
            "title": self.title,
            "description": self.description,
            "repository": self.repository,
            "pages": self.pages,
        }


def _origin(root: Path) -> str | None:
    git = shutil.which("git")
    if git is None:
        return None
    try:
        result = subprocess.run(  # noqa: S603 - git itself, fixed arguments
            [git, "remote", "get-url", "origin"],
            cwd=root,
            capture_output=True,
            text=True,
            check=False,
            timeout=10,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return result.stdout.strip() if result.returncode == 0 else None


def project_links(root: Path) -> ProjectLinks:
    """Return the project's title, description and GitHub addresses.

    The repository is git's ``origin`` when it is on GitHub (what ``portfolio publish`` set),
    otherwise the GitHub user and slug answered at ``portfolio new``, unless that answer is
    still the placeholder; then there are no links rather than wrong ones.
    """
    answers: dict[str, Any] = {}
    try:
        answers = json.loads((root / ".portfolio.json").read_text(encoding="utf-8"))["answers"]
    except (OSError, ValueError, KeyError, TypeError):
        answers = {}
    title = str(answers.get("project_name") or root.name)
    description = str(answers.get("description") or "")
    match = _GITHUB_REMOTE.match(_origin(root) or "")
    if match:
        owner, name = match["owner"], match["repo"]
    else:
        owner = str(answers.get("github_username") or "") or None
        name = str(answers.get("project_slug") or root.name)
        if owner == _PLACEHOLDER_USER:
            owner = None
    repository = f"https://github.com/{owner}/{name}" if owner else None
    return ProjectLinks(title, description, owner, repository)


def links_markdown(links: ProjectLinks, *, deploy_to_render: bool = False) -> str:
    """Return the README's links block: CI badge, live demo, and the Render deploy button."""
    if links.repository is None:
        return (
            "_The CI badge and the live-demo link appear here once the project has a GitHub "
            "repository: `portfolio publish --pages`, then `make all`._"
        )
    parts = [
        f"[![CI]({links.repository}/actions/workflows/ci.yml/badge.svg)]"
        f"({links.repository}/actions/workflows/ci.yml)",
        f"**[Live demo]({links.pages})**",
    ]
    if deploy_to_render:
        parts.append(
            "[![Deploy to Render](https://render.com/images/deploy-to-render-button.svg)]"
            f"(https://render.com/deploy?repo={links.repository})"
        )
    return " · ".join(parts)


def embed_json(data: Any) -> str:
    """Return ``data`` as JSON that is safe inside a ``<script>`` element.

    Escaping ``<``, ``>`` and ``&`` as JSON unicode escapes keeps the text valid JSON while
    making ``</script>`` or ``<!--`` in any string (a message, a title) inert.
    """
    text = json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _number(value: Any) -> str:
    return "n/a" if value is None else format_count(float(value))


def _headline_html(headline: Mapping[str, Any]) -> str:
    cards = []
    for item in headline.get("items", []):
        interval = ""
        if item.get("low") is not None and item.get("high") is not None:
            interval = (
                f" <span class=interval>[{_number(item['low'])}, {_number(item['high'])}]</span>"
            )
        unit = f" <span class=unit>{html.escape(str(item.get('unit', '')))}</span>"
        cards.append(
            f'<article class="card" data-key="{html.escape(str(item.get("key", "")))}" '
            f'data-value="{item.get("estimate")}">'
            f"<h3>{html.escape(str(item.get('label', '')))}</h3>"
            f"<p class=value>{_number(item.get('estimate'))}{interval}{unit}</p>"
            f"<p>{html.escape(str(item.get('text', '')))}</p></article>"
        )
    if not cards:
        return ""
    baseline = headline.get("baseline")
    against = f"<p class=note>Compared with: {html.escape(str(baseline))}.</p>" if baseline else ""
    return (
        '<section id="headline"><h2>Results at a glance</h2>'
        f"<div class=cards>{''.join(cards)}</div>{against}</section>"
    )


def _figures_html(figures: Sequence[Mapping[str, Any]], figure_url: Callable[[str], str]) -> str:
    items = []
    for figure in figures:
        path = str(figure["path"])
        caption = html.escape(str(figure.get("caption", "")))
        items.append(
            f'<figure><img src="{html.escape(figure_url(path))}" alt="{caption}" loading="lazy">'
            f"<figcaption>{caption}</figcaption></figure>"
        )
    return (
        f'<section id="figures"><h2>Figures</h2><div class=grid>{"".join(items)}</div></section>'
        if items
        else ""
    )


def _links_html(project: Mapping[str, Any]) -> str:
    links = []
    repository = project.get("repository")
    if repository:
        links.append(f'<a href="{html.escape(str(repository))}">Source code</a>')
        links.append(
            f'<a href="{html.escape(str(repository))}/blob/main/MODEL_CARD.md">Model card</a>'
        )
    return f"<nav>{' · '.join(links)}</nav>" if links else ""


def render_page(
    data: Mapping[str, Any],
    *,
    assets: str,
    figure_url: Callable[[str], str],
    scripts: Sequence[str] = (),
    extra_html: str = "",
) -> str:
    """Return the page's HTML for the site data ``data``.

    ``assets`` prefixes the stylesheet and script URLs (``assets/`` on the static site, a
    mounted path in the API); ``figure_url`` maps a figure's project-relative path to its URL;
    ``scripts`` are the interactive part's files after ``site.js``; ``extra_html`` is placed
    before the interactive section (the API's prediction form).
    """
    project = data.get("project", {})
    title = html.escape(str(project.get("title", "Results")))
    description = html.escape(str(project.get("description", "")))
    interactive = data.get("interactive") or {}
    kind = html.escape(str(interactive.get("kind", "")))
    script_tags = "".join(
        f'<script src="{html.escape(assets + name)}"></script>'
        for name in (SHARED_SCRIPT, *scripts)
    )
    return (
        "<!doctype html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title>"
        f'<link rel="stylesheet" href="{html.escape(assets + STYLESHEET)}"></head>\n'
        f"<body><header><h1>{title}</h1><p class=lead>{description}</p>"
        f"{_links_html(project)}</header>\n"
        f"<main>{_headline_html(data.get('headline', {}))}\n{extra_html}\n"
        f'<section id="interactive" data-kind="{kind}"><noscript>The interactive part needs '
        "JavaScript; the numbers above and the figures do not.</noscript></section>\n"
        f"{_figures_html(data.get('figures', []), figure_url)}</main>\n"
        "<footer>Every number on this page was written by the project's report step "
        "(<code>make all</code>), with 95% bootstrap intervals in brackets.</footer>\n"
        f'<script id="site-data" type="application/json">{embed_json(data)}</script>\n'
        f"{script_tags}</body></html>\n"
    )


def read_site_data(root: Path) -> dict[str, Any]:
    """Return ``reports/site-data.json``; raise ``SiteError`` when the report has not run."""
    path = root / SITE_DATA
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as err:
        raise SiteError(f"{SITE_DATA} not found: run `make all` first") from err
    except (OSError, ValueError) as err:
        raise SiteError(f"cannot read {SITE_DATA} ({err}): run `make all` again") from err
    return data


def interactive_scripts(data: Mapping[str, Any]) -> list[str]:
    """Return the scripts that draw the interactive parts of this site, those that exist.

    ``interactive.kind`` names the main part; ``interactive.also`` may list more kinds drawn
    on the same page from the same payload (a binary text classifier's threshold explorer and
    its error browser, say). Each kind is ``static/<kind>.js``.
    """
    interactive = data.get("interactive") or {}
    kinds = [str(interactive.get("kind", "")), *(str(k) for k in interactive.get("also", []))]
    return [f"{kind}.js" for kind in kinds if kind and (STATIC / f"{kind}.js").is_file()]


def build_site(root: Path, out: Path | None = None) -> Path:
    """Write the site for the project at ``root`` into ``out`` (default ``root/site``).

    The site is assembled in a temporary folder beside ``out`` and moved into place, so a
    failure leaves the previous site whole.

    Raises:
        SiteError: the report has not been run, or a figure it lists is missing.

    """
    data = read_site_data(root)
    out = out or root / "site"
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        (staging / "assets").mkdir()
        for asset in sorted(STATIC.iterdir()):
            if asset.suffix in {".js", ".css"}:
                shutil.copy2(asset, staging / "assets" / asset.name)
        (staging / "figures").mkdir()
        for figure in data.get("figures", []):
            source = root / str(figure["path"])
            if not source.is_file():
                raise SiteError(f"the figure {figure['path']} is missing: run `make all` again")
            shutil.copy2(source, staging / "figures" / source.name)
        page = render_page(
            data,
            assets="assets/",
            figure_url=lambda path: f"figures/{Path(path).name}",
            scripts=interactive_scripts(data),
        )
        (staging / "index.html").write_text(page, encoding="utf-8")
        (staging / ".nojekyll").write_text("", encoding="utf-8")
        previous = out.with_name(f".{out.name}.previous")
        shutil.rmtree(previous, ignore_errors=True)
        if out.exists():
            out.rename(previous)
        staging.rename(out)
        shutil.rmtree(previous, ignore_errors=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return out


def main(argv: list[str] | None = None) -> int:
    """Build ``site/`` for the project in the current folder (``make site``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path(), help="the project folder")
    parser.add_argument("--out", type=Path, default=None, help="where to write (default: site/)")
    args = parser.parse_args(argv)
    try:
        out = build_site(args.root.resolve(), args.out)
    except SiteError as err:
        parser.exit(1, f"error: {err}\n")
    print(f"site written to {out / 'index.html'} (open it in a browser, or push for GitHub Pages)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
