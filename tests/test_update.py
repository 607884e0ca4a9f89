"""`portfolio update`: real generated projects, real git, and a second template version.

The second version is a copy of the bundled templates with a changed shared `_common` file, a
changed template file and a new file, built in each test; the project is generated with the
bundled (first) version, edited and committed as its owner would, then updated.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from portfolio import update as update_module
from portfolio.answers import ANSWERS_FILE, PRISTINE_COMMIT, PRISTINE_TREE, read_answers_file
from portfolio.check import check_project
from portfolio.cli import main
from portfolio.errors import GitError, PortfolioError
from portfolio.update import carry_blocks, check_for_update, preview_update, update_project
from tests.conftest import REPO_ROOT, generate, run_in_project

TEMPLATE = "recommender"
SLUG = "{{cookiecutter.project_slug}}"
DECISION = "docs/decisions/0001-temporal-split.md"
NEW_FILE = "docs/decisions/0003-second-version.md"
NARRATIVE = "Film fans who are tired of the same blockbusters; it picks their next evening's film."
V2_README_LINE = "All five score a batch of users in one matrix operation and take the top k with"


def git(project: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", *args], cwd=project, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, f"git {' '.join(args)}: {result.stderr}"
    return result.stdout


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def second_version(tmp_path: Path, *, decision_title: bool = True) -> Path:
    """Copy the templates and change a shared file, a template file, and add a file."""
    root = tmp_path / "templates-v2"
    shutil.copytree(REPO_ROOT / "templates", root)
    common = root / "_common" / SLUG
    with (common / ".gitignore").open("a", encoding="utf-8") as file:
        file.write("\n# Editor backups (added by the second template version)\n*.bak\n")
    project = root / TEMPLATE / SLUG
    edit(
        project / "README.md",
        "All of them score a batch of users in one matrix operation and take the top k with",
        V2_README_LINE,
    )
    if decision_title:
        edit(project / DECISION, "# 1. Hold out each user's", "# 1. Hold out every user's")
    (project / NEW_FILE).write_text("# 3. A decision the second version records\n")
    return root


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return generate(TEMPLATE, tmp_path / "out").path


@pytest.fixture
def v2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Install the second version as "the installed templates", with a new version string."""
    root = second_version(tmp_path)
    monkeypatch.setattr("portfolio.templates.templates_root", lambda: root)
    monkeypatch.setattr(update_module, "__version__", "0.2.0")
    return root


def own_it(project: Path, *, edit_decision: bool = False) -> None:
    """What an owner does: narrative, config, a file of their own, perhaps a template line."""
    edit(
        project / "README.md",
        "TODO(portfolio): say in two sentences who would use this recommender and what "
        "decision it\nhelps them make (a hiring manager reads this first and decides whether "
        "to read on).",
        NARRATIVE,
    )
    edit(project / "config.toml", "seed = 42", "seed = 7")
    (project / "notes").mkdir()
    (project / "notes" / "interviews.md").write_text("Talked to three film fans.\n")
    if edit_decision:
        edit(project / DECISION, "# 1. Hold out each user's", "# 1. Hold out each viewer's")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "Make it mine")


def snapshot(project: Path) -> dict[str, object]:
    """Everything an update must leave alone when it fails or only previews."""
    files = {
        path.relative_to(project).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(project.rglob("*"))
        if path.is_file() and ".git" not in path.relative_to(project).parts
    }
    return {
        "head": git(project, "rev-parse", "HEAD"),
        "branch": git(project, "symbolic-ref", "HEAD"),
        "refs": git(project, "for-each-ref"),
        "index": git(project, "ls-files", "--stage"),
        "status": git(project, "status", "--porcelain=v2", "--untracked-files=all", "--ignored"),
        "log": git(project, "log", "--all", "--format=%H %P %s"),
        "stash": git(project, "stash", "list"),
        "merge_head": (project / ".git" / "MERGE_HEAD").exists(),
        "files": files,
    }


def objects(project: Path) -> set[str]:
    return {p.relative_to(project).as_posix() for p in (project / ".git" / "objects").rglob("*")}


def cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


# --- the whole story --------------------------------------------------------------------


def test_check_exits_1_before_and_0_after_an_update(project: Path, v2: Path) -> None:
    own_it(project)
    before, before_objects = snapshot(project), objects(project)
    code, output = cli("update", str(project), "--check")
    assert code == 1, output
    assert snapshot(project) == before and objects(project) == before_objects
    assert "update is available" in output
    assert f"added     {NEW_FILE}" in output
    code, output = cli("update", str(project))
    assert code == 0, output
    code, output = cli("update", str(project), "--check")
    assert code == 0, output
    assert "up to date" in output


def test_update_keeps_the_owners_edits_and_takes_the_templates(project: Path, v2: Path) -> None:
    own_it(project)
    before = git(project, "rev-parse", "HEAD").strip()

    result = update_project(project)

    readme = (project / "README.md").read_text()
    assert NARRATIVE in readme and "TODO(portfolio): say in two sentences" not in readme
    assert V2_README_LINE in readme
    assert "seed = 7" in (project / "config.toml").read_text()
    assert (project / "notes" / "interviews.md").read_text() == "Talked to three film fans.\n"
    assert "*.bak" in (project / ".gitignore").read_text()
    assert (project / NEW_FILE).is_file()
    assert result.conflicts == () and result.merge_commit is not None
    assert set(result.changes.modified) == {".gitignore", "README.md", DECISION}
    assert result.changes.added == (NEW_FILE,)
    assert git(project, "status", "--porcelain") == ""
    parents = git(project, "rev-list", "--parents", "-n", "1", "HEAD").split()[1:]
    assert parents[0] == before and len(parents) == 2
    assert git(project, "for-each-ref", "refs/portfolio") == ""


def test_the_answers_file_records_the_new_version_and_pristine_commit(
    project: Path, v2: Path
) -> None:
    own_it(project)
    result = update_project(project)
    recorded = read_answers_file(project)
    assert recorded.tool_version == "0.2.0"
    assert recorded.extra[PRISTINE_COMMIT] == result.pristine
    assert git(project, "merge-base", "--is-ancestor", str(result.pristine), "HEAD") == ""
    # The pristine commit holds exactly the second version's render, and says so itself.
    pristine_answers = json.loads(git(project, "show", f"{result.pristine}:{ANSWERS_FILE}"))
    assert pristine_answers["tool_version"] == "0.2.0"
    assert pristine_answers[PRISTINE_TREE] == recorded.extra[PRISTINE_TREE]
    assert "seed = 42" in git(project, "show", f"{result.pristine}:config.toml")
    # And the next update starts from it: nothing new to take.
    assert check_for_update(project).up_to_date


def test_generation_records_the_pristine_tree_of_the_first_commit(project: Path) -> None:
    entries = [
        line for line in git(project, "ls-tree", "HEAD").splitlines()
        if not line.endswith(f"\t{ANSWERS_FILE}")
    ]  # fmt: skip
    tree = subprocess.run(
        ["git", "mktree"], cwd=project, input="\n".join(entries) + "\n",
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    assert read_answers_file(project).extra[PRISTINE_TREE] == tree
    assert PRISTINE_COMMIT not in read_answers_file(project).extra


def test_a_file_both_changed_is_an_ordinary_git_conflict(project: Path, v2: Path) -> None:
    own_it(project, edit_decision=True)
    before = git(project, "rev-parse", "HEAD").strip()

    code, output = cli("update", str(project))

    assert code == 1, output
    assert "Conflicts in 1 file(s)" in output and DECISION in output
    assert "git merge --abort" in output and "git commit --no-edit" in output
    assert "UU " + DECISION in git(project, "status", "--porcelain").splitlines()
    text = (project / DECISION).read_text()
    assert "<<<<<<< HEAD\n# 1. Hold out each viewer's" in text
    assert "# 1. Hold out every user's" in text and ">>>>>>> portfolio/recommender-0.2.0" in text
    # Everything else merged, and the answers file is already resolved by the tool.
    assert NARRATIVE in (project / "README.md").read_text()
    assert (project / NEW_FILE).is_file()
    assert git(project, "diff", "--name-only", "--diff-filter=U").split() == [DECISION]
    assert git(project, "for-each-ref", "refs/portfolio") == ""
    code, output = cli("update", str(project))
    assert code == 1 and "a merge is in progress" in output

    # The owner resolves it with plain git, and the update is done.
    edit(project / DECISION, text, "# 1. Hold out each viewer's latest interactions\n")
    git(project, "add", DECISION)
    git(project, "commit", "-q", "--no-edit")
    parents = git(project, "rev-list", "--parents", "-n", "1", "HEAD").split()[1:]
    assert parents[0] == before and len(parents) == 2
    assert "Update to the recommender template" in git(project, "log", "-1", "--format=%s")
    assert check_for_update(project).up_to_date


def test_git_merge_abort_returns_to_before_the_update(project: Path, v2: Path) -> None:
    own_it(project, edit_decision=True)
    before = snapshot(project)
    code, _ = cli("update", str(project))
    assert code == 1
    git(project, "merge", "--abort")
    after = snapshot(project)
    assert after == before


def test_diff_shows_the_change_and_changes_nothing(project: Path, v2: Path) -> None:
    own_it(project, edit_decision=True)
    git(project, "stash", "list")
    before, before_objects = snapshot(project), objects(project)

    code, output = cli("update", str(project), "--diff")

    assert code == 0, output
    assert f"+{V2_README_LINE}" in output
    assert f"+++ b/{NEW_FILE}" in output
    assert "notes/interviews.md" not in output  # the owner's files are not a change
    assert f"Would conflict (1 file(s)): {DECISION}" in output
    assert "+>>>>>>> portfolio/recommender-0.2.0" in output
    assert "Nothing was changed" in output
    assert snapshot(project) == before
    assert objects(project) == before_objects  # not even an object in .git


def test_diff_without_conflicts_says_so(project: Path, v2: Path) -> None:
    own_it(project)
    result = preview_update(project)
    assert result.conflicts == () and result.conflicts_known
    assert result.diff is not None and "+*.bak" in result.diff


@pytest.mark.parametrize("dirt", ["modified", "untracked", "staged"])
def test_a_dirty_working_tree_is_refused(project: Path, v2: Path, dirt: str) -> None:
    own_it(project)
    if dirt == "modified":
        edit(project / "config.toml", "seed = 7", "seed = 8")
    elif dirt == "untracked":
        (project / "scratch.txt").write_text("half a thought\n")
    else:
        (project / "notes" / "more.md").write_text("staged\n")
        git(project, "add", "notes/more.md")
    before = snapshot(project)
    code, output = cli("update", str(project))
    assert code == 1
    assert "uncommitted changes" in output and "nothing was updated" in output
    assert "git stash -u" in output
    assert snapshot(project) == before


def test_a_locked_index_fails_the_merge_and_leaves_the_repository_as_it_was(
    project: Path, v2: Path
) -> None:
    own_it(project)
    before = snapshot(project)
    lock = project / ".git" / "index.lock"
    lock.write_text("")  # another git process holds the index: the merge itself fails
    with pytest.raises(GitError, match="git merge did not start") as caught:
        update_project(project)
    assert "Unable to write index" in caught.value.message
    assert "index.lock" in caught.value.hint
    lock.unlink()
    assert snapshot(project) == before
    assert git(project, "for-each-ref", "refs/portfolio") == ""


def test_a_render_error_in_the_new_template_changes_nothing(project: Path, v2: Path) -> None:
    own_it(project)
    edit(v2 / TEMPLATE / SLUG / "Makefile", "all:", "all: {{ cookiecutter.no_such_answer }}")
    before = snapshot(project)
    code, output = cli("update", str(project))
    assert code == 1
    assert "failed to render" in output
    assert snapshot(project) == before


def test_a_file_the_template_adds_is_not_written_over_an_ignored_one(
    project: Path, v2: Path
) -> None:
    own_it(project)
    with (project / ".gitignore").open("a", encoding="utf-8") as file:
        file.write("drafts/\n")
    git(project, "commit", "-q", "-am", "Keep my drafts out of git")
    (project / "drafts").mkdir()
    (project / "drafts" / "post.md").write_text("my draft, ignored by git\n")
    (v2 / TEMPLATE / SLUG / "drafts").mkdir()
    (v2 / TEMPLATE / SLUG / "drafts" / "post.md").write_text("A template's example post\n")
    before = snapshot(project)
    with pytest.raises(PortfolioError, match=r"adds drafts/post\.md"):
        update_project(project)
    assert snapshot(project) == before
    assert (project / "drafts" / "post.md").read_text() == "my draft, ignored by git\n"


# --- answers ------------------------------------------------------------------------------


def test_set_changes_an_answer_and_records_it(project: Path, v2: Path) -> None:
    own_it(project)
    code, output = cli("update", str(project), "--set", "description=Films {{ worth }} finding")
    assert code == 0, output
    assert "answer description:" in output
    assert "Films {{ worth }} finding" in (project / "README.md").read_text()
    assert read_answers_file(project).answers["description"] == "Films {{ worth }} finding"


@pytest.mark.parametrize(
    ("setting", "message"),
    [("license=WTFPL", "choose one of"), ("colour=blue", "unknown answer key")],
)
def test_a_bad_set_is_refused_before_anything(
    project: Path, v2: Path, setting: str, message: str
) -> None:
    own_it(project)
    before = snapshot(project)
    code, output = cli("update", str(project), "--set", setting)
    assert code == 2
    assert message in output
    assert snapshot(project) == before


def test_a_stored_answer_the_new_template_refuses_says_how_to_fix_it(
    project: Path, v2: Path
) -> None:
    own_it(project)
    context = v2 / "_common" / "cookiecutter.json"
    edit(
        context, '"python_version": ["3.11", "3.12", "3.13"]', '"python_version": ["3.12", "3.13"]'
    )
    code, output = cli("update", str(project))
    assert code == 2
    assert "stored answer no longer fits" in output
    assert "--set python_version=" in output
    code, output = cli("update", str(project), "--set", "python_version=3.12")
    assert code == 0, output


# --- finding the base ---------------------------------------------------------------------


def test_a_squashed_first_commit_is_refused_with_the_way_out(project: Path, v2: Path) -> None:
    own_it(project)
    root = git(project, "rev-list", "--max-parents=0", "HEAD").strip()
    git(project, "reset", "-q", "--soft", root)
    git(project, "commit", "-q", "--amend", "--no-edit")  # one commit: render and edits
    before = snapshot(project)
    code, output = cli("update", str(project))
    assert code == 1
    assert "holds more than the template's render" in output
    assert "--base REV" in output
    assert snapshot(project) == before


def test_a_flattened_update_needs_base_and_works_with_it(project: Path, v2: Path) -> None:
    own_it(project)
    first = git(project, "rev-list", "--max-parents=0", "HEAD").strip()
    update_project(project)
    # The owner flattens the merge away: the recorded pristine commit leaves the history.
    git(project, "reset", "-q", "--soft", "HEAD~1")
    git(project, "commit", "-q", "-m", "Flatten the update")
    edit(v2 / TEMPLATE / SLUG / "Makefile", "all:", "# third version\nall:")
    code, output = cli("update", str(project))
    assert code == 1
    assert "is not in the history of the current branch" in output
    assert "--base" in output
    code, output = cli("update", str(project), "--base", first)
    assert code == 0, output
    assert "# third version" in (project / "Makefile").read_text()
    assert NARRATIVE in (project / "README.md").read_text()


def test_a_first_commit_not_made_by_portfolio_needs_base(tmp_path: Path, v2: Path) -> None:
    project = generate(TEMPLATE, tmp_path / "plain", init_git=False).path
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "Initial commit")
    code, output = cli("update", str(project))
    assert code == 1
    assert "cannot tell whether the first commit" in output
    code, output = cli("update", str(project), "--base", "HEAD")
    assert code == 0, output
    assert (project / NEW_FILE).is_file()


def test_not_a_repository_is_a_clear_error(tmp_path: Path, v2: Path) -> None:
    project = generate(TEMPLATE, tmp_path / "nogit", init_git=False).path
    code, output = cli("update", str(project))
    assert code == 1
    assert "is not a git repository" in output


# --- portfolio check ------------------------------------------------------------------------


def test_check_warns_when_the_template_is_older_than_the_installed_one(
    project: Path, v2: Path
) -> None:
    own_it(project)
    warnings = [f.message for f in check_project(project).findings if f.rule == "template"]
    assert len(warnings) == 1 and "newer recommender template" in warnings[0]
    update_project(project)
    assert [f for f in check_project(project).findings if f.rule == "template"] == []


def test_check_is_quiet_about_a_current_template(project: Path) -> None:
    assert [f for f in check_project(project).findings if f.rule == "template"] == []


# --- the report's output --------------------------------------------------------------------


def test_carry_blocks_takes_only_the_block_contents() -> None:
    start, end = "<!-- portfolio:results:start -->\n", "<!-- portfolio:results:end -->\n"
    new = f"# Title v2\n{start}_Run make all._\n{end}v2 text\n"
    current = f"# Title\n{start}| a | 1 |\n| b | 2 |\n{end}mine\n"
    assert carry_blocks(new, current) == f"# Title v2\n{start}| a | 1 |\n| b | 2 |\n{end}v2 text\n"


def test_carry_blocks_leaves_blocks_it_cannot_pair() -> None:
    new = "<!-- portfolio:a:start -->\nnew\n<!-- portfolio:a:end -->\n"
    broken = "<!-- portfolio:a:start -->\nmine\n"
    assert carry_blocks(new, broken) == new


@pytest.mark.slow
def test_an_update_after_make_all_never_conflicts_in_the_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = generate(TEMPLATE, tmp_path / "out").path
    run_in_project(project, "make", "all", f"PYTHON={sys.executable}")
    own_it(project)
    readme_blocks = (project / "README.md").read_text()
    assert "_Run `make all` to fill this section._" not in readme_blocks
    reports = {
        p.relative_to(project).as_posix(): p.read_bytes()
        for p in (project / "reports").rglob("*") if p.is_file()
    }  # fmt: skip
    assert reports
    root = second_version(tmp_path)
    # The second version rewords every block's placeholder and the lines beside the blocks.
    for name in ("README.md", "MODEL_CARD.md"):
        path = root / TEMPLATE / SLUG / name
        text = path.read_text().replace(
            "_Run `make all` to fill this section._", "_`make all` writes this section._"
        )
        text = text.replace("<!-- portfolio:", "<!-- Written by code. -->\n<!-- portfolio:")
        path.write_text(text)
    monkeypatch.setattr("portfolio.templates.templates_root", lambda: root)

    result = update_project(project)

    assert result.conflicts == (), result
    assert "README.md" in result.kept and "reports/" in result.kept
    from portfolio.check import block_contents

    for name in ("README.md", "MODEL_CARD.md"):
        merged = (project / name).read_text()
        assert "<!-- Written by code. -->" in merged
        assert block_contents(merged) == block_contents(git(project, "show", f"HEAD~1:{name}"))
    assert {
        p.relative_to(project).as_posix(): p.read_bytes()
        for p in (project / "reports").rglob("*") if p.is_file()
    } == reports  # fmt: skip
    # The results still match the documents: `portfolio check` finds nothing stale.
    assert [f.message for f in check_project(project).findings if f.rule == "results"] == []
