"""`publish --pages` on loopback: GitHub Pages and the homepage, and failures that stay warnings."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from portfolio.cli import main
from portfolio.pages import MANUAL_PAGES, PAGES_SETTING
from portfolio.publish import PublishResult, publish_project
from tests.servers import Loopback, branch_sha

TEMPLATE = "classifier-api"


@pytest.fixture
def project(generated: Callable[[str], Path], tmp_path: Path) -> Path:
    """A fresh copy (with its .git) of one generated project, rendered once per module."""
    source = generated(TEMPLATE)
    return Path(shutil.copytree(source, tmp_path / "work" / source.name, symlinks=True))


def _git(path: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(path), *args], capture_output=True, text=True, check=True
    ).stdout.strip()


def _publish(project: Path, loopback_github: Loopback, github_token: str) -> PublishResult:
    return publish_project(
        project, pages=True, client=loopback_github.client, token_source=lambda: github_token
    )


def _pushed(project: Path, loopback_github: Loopback) -> bool:
    return branch_sha(loopback_github.bare(f"octo/{project.name}")) == _git(
        project, "rev-parse", "HEAD"
    )


def test_pages_is_enabled_for_the_workflow_and_becomes_the_homepage(
    project: Path, loopback_github: Loopback, github_token: str
) -> None:
    slug = project.name
    site = f"https://octo.github.io/{slug}/"

    result = _publish(project, loopback_github, github_token)

    calls = loopback_github.github.calls()
    assert calls[calls.index(f"PUT /repos/octo/{slug}/topics") + 1 :] == [
        f"POST /repos/octo/{slug}/pages",
        f"GET /repos/octo/{slug}",
        f"PATCH /repos/octo/{slug}",
    ]
    bodies = {f"{r.method} {r.path}": r.body for r in loopback_github.github.requests}
    assert bodies[f"POST /repos/octo/{slug}/pages"] == {"build_type": "workflow"}
    assert bodies[f"PATCH /repos/octo/{slug}"] == {"homepage": site}
    assert loopback_github.github.repos[f"octo/{slug}"]["homepage"] == site
    assert result.pages_url == site
    assert result.warnings == ()
    assert _pushed(project, loopback_github)
    assert _git(project, "config", "--local", PAGES_SETTING) == site
    assert _git(project, "status", "--porcelain") == ""  # recorded without a file or a commit


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (403, "Your current plan does not support GitHub Pages for this repository."),
        (409, "Conflict"),
        (422, "Validation Failed"),
    ],
)
def test_a_refusal_on_pages_is_a_warning_and_the_push_stays(
    project: Path, loopback_github: Loopback, github_token: str, status: int, message: str
) -> None:
    slug = project.name
    loopback_github.github.respond_once(
        "POST", f"/repos/octo/{slug}/pages", status, {"message": message}
    )

    result = _publish(project, loopback_github, github_token)

    assert _pushed(project, loopback_github)
    assert result.pages_url is None
    (warning,) = result.warnings
    assert warning.startswith("GitHub Pages not enabled (")
    assert message in warning
    assert f"the push is intact. Enable it by hand: {MANUAL_PAGES}" in warning
    assert f"{loopback_github.github.url}/octo/{slug}/settings/pages" in warning
    assert not any(call.startswith("PATCH") for call in loopback_github.github.calls())
    assert loopback_github.github.repos[f"octo/{slug}"]["homepage"] is None


def test_pages_already_enabled_by_hand_is_kept_and_switched_to_the_workflow(
    project: Path, loopback_github: Loopback, github_token: str
) -> None:
    slug = project.name
    first = publish_project(
        project, client=loopback_github.client, token_source=lambda: github_token
    )
    site = loopback_github.github.add_pages(f"octo/{slug}", build_type="legacy")

    again = _publish(project, loopback_github, github_token)

    assert again.warnings == ()
    assert again.pages_url == site
    assert again.sha == first.sha
    pages_calls = [c for c in loopback_github.github.calls() if c.endswith("/pages")]
    assert pages_calls == [
        f"POST /repos/octo/{slug}/pages",
        f"GET /repos/octo/{slug}/pages",
        f"PUT /repos/octo/{slug}/pages",
    ]
    put = next(
        r
        for r in loopback_github.github.requests
        if r.method == "PUT" and r.path.endswith("/pages")
    )
    assert put.body == {"build_type": "workflow"}
    assert loopback_github.github.pages[f"octo/{slug}"]["build_type"] == "workflow"
    assert loopback_github.github.repos[f"octo/{slug}"]["homepage"] == site


def test_a_homepage_the_owner_chose_is_kept(
    project: Path, loopback_github: Loopback, github_token: str
) -> None:
    slug = project.name
    publish_project(project, client=loopback_github.client, token_source=lambda: github_token)
    loopback_github.github.repos[f"octo/{slug}"]["homepage"] = "https://demo.example.com"

    result = _publish(project, loopback_github, github_token)

    assert result.pages_url == f"https://octo.github.io/{slug}/"
    assert result.warnings == (
        f"the homepage stays https://demo.example.com, as you set it; the live demo is "
        f"https://octo.github.io/{slug}/",
    )
    assert not any(call.startswith("PATCH") for call in loopback_github.github.calls())


def test_pages_with_a_remote_is_refused_before_anything(
    project: Path, loopback_github: Loopback
) -> None:
    result = CliRunner().invoke(main, ["publish", str(project), "--pages", "--remote", "x.git"])

    assert result.exit_code == 2
    assert "--remote pushes to an existing one" in result.stderr
    assert loopback_github.github.requests == []


def test_publish_pages_prints_the_live_demo(project: Path, github_environment: Loopback) -> None:
    result = CliRunner().invoke(main, ["publish", str(project), "--pages"])

    assert result.exit_code == 0, result.output
    site = f"https://octo.github.io/{project.name}/"
    assert f"Enabled GitHub Pages at {site} (the CI workflow deploys the site)" in result.stdout
    assert f"live demo: {site} (online once the CI workflow has deployed it)" in result.stdout


def test_publish_pages_warning_goes_to_stderr_with_exit_zero(
    project: Path, github_environment: Loopback
) -> None:
    github_environment.github.respond_once(
        "POST", f"/repos/octo/{project.name}/pages", 403, {"message": "Resource not accessible"}
    )

    result = CliRunner().invoke(main, ["publish", str(project), "--pages"])

    assert result.exit_code == 0, result.output
    assert "warning: GitHub Pages not enabled (" in result.stderr
    assert MANUAL_PAGES in result.stderr
    assert "live demo" not in result.stdout
    assert _pushed(project, github_environment)


def test_new_github_pages_enables_pages_after_the_first_push(
    tmp_path: Path, github_environment: Loopback, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)

    result = CliRunner().invoke(main, ["new", TEMPLATE, "--no-input", "--github", "--pages"])

    assert result.exit_code == 0, result.output
    (project,) = (path for path in tmp_path.iterdir() if (path / ".portfolio.json").exists())
    pages = [r for r in github_environment.github.requests if r.path.endswith("/pages")]
    assert [(r.method, r.body) for r in pages] == [("POST", {"build_type": "workflow"})]
    assert _pushed(project, github_environment)
    assert _git(project, "config", "--local", PAGES_SETTING) == (
        f"https://octo.github.io/{project.name}/"
    )


def test_new_pages_without_github_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["new", TEMPLATE, "--no-input", "-o", str(tmp_path), "--pages"]
    )

    assert result.exit_code == 2
    assert "go with --github" in result.stderr
    assert list(tmp_path.iterdir()) == []
