"""The showcase's parts on their own: marker blocks, the owner's problem, numbers, refusals.

Projects here are real renders of a template (no pipeline run); their metrics files are
written by the tests: the contract's own example headline (CONTRACTS.md section 1), or a
broken one to be refused.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from portfolio.blocks import rewrite
from portfolio.cli import main
from portfolio.errors import GitHubError, PortfolioError
from portfolio.projectcard import Headline, problem_sentence, read_card, remote_parts, web_url
from portfolio.showcase import headline_markdown, publish_showcase, write_showcase
from tests.servers import Loopback, branch_sha

#: The example of CONTRACTS.md section 1, as the templates' report step writes it.
CONTRACT_HEADLINE = {
    "schema": 1,
    "baseline": "act on no one",
    "items": [
        {
            "key": "saving_per_period",
            "label": "Saving a month against the best baseline",
            "estimate": 11236.0,
            "low": -191011.0,
            "high": 191011.0,
            "confidence": 0.95,
            "unit": "EUR a month",
            "conclusive": False,
            "text": "No saving this test set can show: 11,236 [-191,011, 191,011] EUR a month; "
            "about 4,100 more cases would settle it.",
        }
    ],
    "figure": "reports/figures/cost_curve.png",
    "figure_caption": "one-line takeaway written from the numbers",
}


def _block(name: str, body: str) -> str:
    return f"<!-- portfolio:{name}:start -->\n{body}\n<!-- portfolio:{name}:end -->\n"


# --- marker blocks ---------------------------------------------------------------------------


def test_rewrite_replaces_blocks_and_keeps_every_byte_outside() -> None:
    text = "# Me\n\nmy words  \n\n" + _block("a", "old a") + "\nbetween\n\n" + _block("b", "old b")

    result = rewrite(text, {"a": "new a", "b": "new b"}, order=["a", "b"], source="R")

    assert result == (
        "# Me\n\nmy words  \n\n" + _block("a", "new a") + "\nbetween\n\n" + _block("b", "new b")
    )
    assert rewrite(result, {"a": "new a", "b": "new b"}, order=["a", "b"], source="R") == result


def test_new_blocks_go_after_the_one_before_them_and_before_the_first_present() -> None:
    text = "intro\n\n" + _block("b", "b") + "\nowner note\n"

    result = rewrite(text, {n: n for n in "abc"}, order=["a", "b", "c"], source="R")

    assert result == (
        "intro\n\n" + _block("a", "a") + "\n" + _block("b", "b") + "\n" + _block("c", "c")
        + "\nowner note\n"
    )  # fmt: skip


def test_without_any_block_the_blocks_follow_a_heading_at_the_end() -> None:
    result = rewrite("# Hi\n\nmine", {"a": "x"}, order=["a"], source="R", heading="## Projects")

    assert result == "# Hi\n\nmine\n\n## Projects\n\n" + _block("a", "x")


def test_a_removed_block_takes_its_blank_line_and_nothing_else() -> None:
    text = _block("a", "a") + "\n" + _block("gone", "g") + "\nkept\n"

    assert rewrite(text, {"a": "a"}, order=["a"], remove=["gone"], source="R") == (
        _block("a", "a") + "\nkept\n"
    )


def test_crlf_files_keep_their_line_endings() -> None:
    text = "intro\r\n\r\n<!-- portfolio:a:start -->\r\nold\r\n<!-- portfolio:a:end -->\r\n"

    result = rewrite(text, {"a": "one\ntwo"}, order=["a"], source="R")

    assert result == (
        "intro\r\n\r\n<!-- portfolio:a:start -->\r\none\r\ntwo\r\n<!-- portfolio:a:end -->\r\n"
    )


@pytest.mark.parametrize(
    ("text", "why"),
    [
        (_block("a", "x") + _block("a", "y"), "appears more than once"),
        ("<!-- portfolio:a:start -->\nx\n", "<!-- portfolio:a:end --> is missing"),
        ("<!-- portfolio:a:end -->\n", "has no start marker before it"),
        ("<!-- portfolio:a:start -->\n" + _block("b", "x") + "<!-- portfolio:a:end -->\n", "opens"),
    ],
)
def test_malformed_blocks_are_refused_not_guessed(text: str, why: str) -> None:
    with pytest.raises(PortfolioError) as caught:
        rewrite(text, {"a": "new"}, order=["a"], source="README.md")

    assert caught.value.message.startswith("README.md: the block ")
    assert why in caught.value.message
    assert "nothing was written" in caught.value.message


# --- the owner's problem ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("readme", "sentence"),
    [
        ("# T\n\n## The problem\n\nTODO(portfolio): say who.\n\nTemplate prose.\n", None),
        ("# T\n\n## Problem\n\nShops lose stock. They order late.\n", "Shops lose stock."),
        (
            "## Why it matters\n\n<!-- a note -->\nThe bank, e.g. its call centre, calls back "
            "first. Then the rest.\n",
            "The bank, e.g. its call centre, calls back first.",
        ),
        (
            "## Problem\n\n| a | b |\n\nSee [the data](docs/data.md) first!  It matters.\n",
            "See the data first!",
        ),
        ("```\n## Problem\n```\n\n## Data\n\nRows.\n", None),
        ("## Problem\n\nNo full stop here\n\n## Data\n", "No full stop here"),
    ],
)
def test_the_problem_is_the_first_sentence_the_owner_wrote(
    readme: str, sentence: str | None
) -> None:
    assert problem_sentence(readme) == sentence


# --- numbers ---------------------------------------------------------------------------------


def _headline(estimate: float, low: float, high: float, unit: str = "") -> Headline:
    return Headline("Gain", estimate, low, high, 0.95, unit, "Said by code.")


@pytest.mark.parametrize(
    ("headline", "line"),
    [
        (
            Headline("Saving a month", 11236.0, -191011.0, 191011.0, 0.95, "EUR a month", "S."),
            "**Saving a month:** 11,236 EUR a month (95% interval -191,011 to 191,011)",
        ),
        (_headline(0.80202, 0.70121, 0.88517), "**Gain:** 0.802 (95% interval 0.701 to 0.885)"),
        (_headline(0.01484, 0.01119, 0.01849), "**Gain:** 0.0148 (95% interval 0.0112 to 0.0185)"),
        (_headline(63.7, 12.1, 118.4, "EUR"), "**Gain:** 64 EUR (95% interval 12 to 118)"),
        (_headline(5.0, 5.0, 5.0), "**Gain:** 5.00 (95% interval 5.00 to 5.00)"),
    ],
)
def test_the_headline_shows_its_interval_to_the_digits_its_width_allows(
    headline: Headline, line: str
) -> None:
    assert headline_markdown(headline) == f"{line}\n\n{headline.text}"


@pytest.mark.parametrize(
    ("remote", "parts"),
    [
        ("https://github.com/Octo/churn.git", ("https", "github.com", "Octo/churn")),
        ("https://user@ghe.example.com:8443/o/n", ("https", "ghe.example.com:8443", "o/n")),
        ("git@github.com:octo/churn.git", ("https", "github.com", "octo/churn")),
        ("ssh://git@github.com:22/octo/churn.git", ("https", "github.com", "octo/churn")),
        ("/srv/git/churn.git", None),
        ("file:///srv/git/churn.git", None),
        ("https://github.com/octo", None),
    ],
)
def test_remotes_become_web_pages(remote: str, parts: tuple[str, str, str] | None) -> None:
    assert remote_parts(remote) == parts
    assert web_url(remote) == (f"{parts[0]}://{parts[1]}/{parts[2]}" if parts else None)


# --- refusals --------------------------------------------------------------------------------


@pytest.fixture
def project(generated: Callable[[str], Path], tmp_path: Path) -> Path:
    """A real render of the recommender (no pipeline run), this test's own copy."""
    source = generated("recommender")
    return Path(shutil.copytree(source, tmp_path / "work" / source.name, symlinks=True))


def _write_metrics(project: Path, headline: object) -> None:
    reports = project / "reports"
    reports.mkdir(exist_ok=True)
    data = {"k": 10} if headline is None else {"k": 10, "headline": headline}
    (reports / "metrics.json").write_text(json.dumps(data), encoding="utf-8")


def test_a_project_without_results_is_refused_in_one_line(project: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["showcase", str(project), "-o", str(tmp_path / "p")])

    assert result.exit_code == 1
    assert result.stderr == (
        f"error: {project.name} has no results yet: run `make all` in {project} first\n"
    )
    assert not (tmp_path / "p").exists()


def test_a_folder_that_is_not_a_project_is_refused_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "notes").mkdir()

    result = CliRunner().invoke(main, ["showcase", str(tmp_path / "notes")])

    assert result.exit_code == 1
    assert result.stderr == (
        f"error: {tmp_path / 'notes'} is not a portfolio project (no .portfolio.json): "
        "showcase takes the folders `portfolio new` made\n"
    )


@pytest.mark.parametrize(
    ("headline", "why"),
    [
        (None, "results have no headline (its template predates it): run `portfolio update`"),
        ({**CONTRACT_HEADLINE, "items": []}, "malformed headline (IndexError"),
        ({**CONTRACT_HEADLINE, "schema": 2}, "schema 2; this portfolio reads 1"),
        (
            {**CONTRACT_HEADLINE, "items": [{**CONTRACT_HEADLINE["items"][0], "low": "n/a"}]},
            "expected a finite number, found 'n/a'",
        ),
    ],
)
def test_a_headline_that_cannot_be_shown_is_refused(
    project: Path, headline: object, why: str
) -> None:
    _write_metrics(project, headline)

    with pytest.raises(PortfolioError) as caught:
        read_card(project)

    assert why in caught.value.message
    assert caught.value.message.endswith(f"in {project} first")


def test_the_contract_headline_makes_a_card(project: Path, tmp_path: Path) -> None:
    _write_metrics(project, CONTRACT_HEADLINE)

    card = read_card(project)

    assert card.headline.estimate == 11236.0
    assert card.headline.text.startswith("No saving this test set can show")
    assert not card.problem_written  # the README's problem is still a placeholder
    assert card.problem == card.description  # one sentence: all of it
    assert card.links.repository is None


def test_an_existing_readme_is_kept_and_the_cards_follow_it(project: Path, tmp_path: Path) -> None:
    _write_metrics(project, CONTRACT_HEADLINE)
    profile = tmp_path / "octo"
    profile.mkdir()
    (profile / "README.md").write_text("# Hi there\n\nI already wrote this.\n", encoding="utf-8")

    result = write_showcase([project], folder=profile)

    assert result.adopted
    text = (profile / "README.md").read_text(encoding="utf-8")
    assert text.startswith("# Hi there\n\nI already wrote this.\n\n## Projects\n\n")
    assert f"<!-- portfolio:project-{project.name}:start -->" in text


def test_a_project_folder_is_never_used_as_the_showcase(project: Path) -> None:
    _write_metrics(project, CONTRACT_HEADLINE)
    readme = (project / "README.md").read_bytes()

    with pytest.raises(PortfolioError, match="is a portfolio project .*not a showcase"):
        write_showcase([project], folder=project)

    assert (project / "README.md").read_bytes() == readme


def test_the_same_project_twice_is_refused(project: Path, tmp_path: Path) -> None:
    _write_metrics(project, CONTRACT_HEADLINE)
    twin = Path(shutil.copytree(project, tmp_path / "twin" / project.name, symlinks=True))

    with pytest.raises(PortfolioError, match=f"two projects are named '{project.name}'"):
        write_showcase([project, twin], folder=tmp_path / "profile")

    assert not (tmp_path / "profile").exists()


def test_no_projects_and_no_showcase_yet_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["showcase", "-o", str(tmp_path / "profile")])

    assert result.exit_code == 2
    assert "name the projects' folders: portfolio showcase PATH..." in result.stderr


def test_dropping_a_project_removes_its_card_and_nothing_else(
    project: Path, generated: Callable[[str], Path], tmp_path: Path
) -> None:
    other = Path(shutil.copytree(generated("classifier-api"), tmp_path / "work" / "other"))
    for each in (project, other):
        _write_metrics(each, CONTRACT_HEADLINE)
    profile = tmp_path / "profile"
    write_showcase([project, other], folder=profile)
    readme = profile / "README.md"
    readme.write_text(readme.read_text(encoding="utf-8") + "\nMy closing words.\n", "utf-8")

    gone = f"project-{read_card(other).slug}"

    result = write_showcase([project], folder=profile)

    assert result.removed == (gone,)
    text = readme.read_text(encoding="utf-8")
    assert gone not in text
    assert text.endswith(f"<!-- portfolio:project-{project.name}:end -->\n\nMy closing words.\n")
    listed = json.loads((profile / ".portfolio.json").read_text(encoding="utf-8"))["projects"]
    assert [entry["slug"] for entry in listed] == [project.name]


def test_publish_refuses_an_unpublished_project_before_calling_github(
    project: Path, tmp_path: Path, loopback_github: Loopback, github_token: str
) -> None:
    _write_metrics(project, CONTRACT_HEADLINE)

    with pytest.raises(PortfolioError) as caught:
        publish_showcase(
            [project],
            folder=tmp_path / "profile",
            client=loopback_github.client,
            token_source=lambda: github_token,
        )

    assert caught.value.message == (
        f"{project.name} is not published yet: run `portfolio publish {project}` first; "
        "nothing was published"
    )
    assert loopback_github.github.requests == []
    assert not (tmp_path / "profile").exists()


def test_a_profile_readme_already_on_github_is_not_overwritten(
    project: Path, tmp_path: Path, loopback_github: Loopback, github_token: str
) -> None:
    _write_metrics(project, CONTRACT_HEADLINE)
    subprocess.run(
        ["git", "-C", str(project), "remote", "add", "origin", "https://github.com/octo/x.git"],
        check=True,
    )
    with loopback_github.client.session(github_token) as session:
        existing = session.create_repository("octo", description="", private=False)
    assert existing is not None
    mine = tmp_path / "mine"
    subprocess.run(["git", "init", "-q", "-b", "main", str(mine)], check=True)
    (mine / "README.md").write_text("# My own profile\n", encoding="utf-8")
    subprocess.run(["git", "-C", str(mine), "add", "README.md"], check=True)
    subprocess.run(["git", "-C", str(mine), "commit", "-q", "-m", "mine"], check=True)
    bare = loopback_github.bare("octo/octo")
    subprocess.run(["git", "-C", str(mine), "push", "-q", str(bare), "main"], check=True)
    before = branch_sha(bare)

    with pytest.raises(GitHubError) as caught:
        publish_showcase(
            [project],
            folder=tmp_path / "profile",
            client=loopback_github.client,
            token_source=lambda: github_token,
        )

    assert "already exists and has commits; nothing was pushed" in caught.value.message
    assert caught.value.hint.startswith(
        f"octo/octo already holds your profile: clone it (git clone {existing.clone_url})"
    )
    assert branch_sha(bare) == before
