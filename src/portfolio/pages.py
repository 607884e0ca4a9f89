"""A published project's live demo: GitHub Pages serving what its CI deploys, as its homepage.

``publish --pages`` runs this after the push. Nothing here can undo the push: every failure
becomes a warning that says how to do the same by hand. The site's URL is remembered in the
project's own git config (``portfolio.pages``), local state like ``origin`` that needs no
commit, so ``portfolio showcase`` can link the live demo without asking GitHub.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from portfolio.errors import PortfolioError
from portfolio.github import GitHubClient, GitHubSession

#: The git config key of a project that holds its GitHub Pages URL once Pages is enabled.
PAGES_SETTING = "portfolio.pages"
#: Where a user turns Pages on by hand when the API may not.
MANUAL_PAGES = "Settings > Pages > Source: GitHub Actions"


@dataclass(frozen=True)
class SiteResult:
    """The live demo's URL (None when Pages could not be enabled) and what went wrong."""

    url: str | None
    warnings: tuple[str, ...] = ()


def enable_site(
    path: Path,
    full_name: str,
    *,
    web_url: str | None,
    client: GitHubClient,
    token_source: Callable[[], str],
    report: Callable[[str], None],
) -> SiteResult:
    """Enable GitHub Pages (built by Actions) for ``full_name`` and make it the homepage.

    Already-enabled Pages is fine. A homepage the owner set to something else is kept. Never
    raises for a GitHub failure: the result's warnings say what to do by hand.
    """
    settings = f"{web_url}/settings/pages" if web_url else "the repository's settings"
    try:
        with client.session(token_source()) as session:
            site = session.enable_pages(full_name)
            if not site.url:
                return SiteResult(None, (f"GitHub Pages is on but gave no URL; see {settings}",))
            report(
                f"Enabled GitHub Pages at {site.url} (the CI workflow deploys the site)"
                if site.created
                else f"GitHub Pages is already on at {site.url}"
            )
            warnings = _point_homepage(session, full_name, site.url, report)
    except PortfolioError as err:
        return SiteResult(
            None,
            (
                f"GitHub Pages not enabled ({err.message}); the push is intact. Enable it by "
                f"hand: {MANUAL_PAGES}, in {settings}",
            ),
        )
    from portfolio.gitrepo import write_setting

    try:
        write_setting(path, PAGES_SETTING, site.url)
    except PortfolioError as err:
        warnings += (f"the live demo's URL was not remembered for `portfolio showcase`: {err}",)
    return SiteResult(site.url, warnings)


def _point_homepage(
    session: GitHubSession, full_name: str, url: str, report: Callable[[str], None]
) -> tuple[str, ...]:
    """Set the repository's homepage to ``url`` unless the owner chose another one."""
    owner, _, name = full_name.partition("/")
    try:
        about = session.repository_about(owner, name)
        current = about.homepage if about is not None else ""
        if current == url:
            return ()
        if current:
            return (f"the homepage stays {current}, as you set it; the live demo is {url}",)
        session.update_repository(full_name, {"homepage": url})
    except PortfolioError as err:
        return (f"homepage not set ({err.message}); set it to {url} on the repository page",)
    report(f"Set the homepage of {full_name} to {url}")
    return ()
