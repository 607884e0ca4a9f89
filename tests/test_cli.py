"""The command line, through click's CliRunner: exit code first, then the text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from portfolio import __version__
from portfolio.cli import main
from tests.conftest import AUTHOR, TEMPLATES


def run(*args: str, input: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), input=input)
    return result.exit_code, result.stdout, result.stderr


def entries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_version() -> None:
    code, out, _ = run("--version")
    assert code == 0
    assert out.strip() == f"portfolio, version {__version__}"


def test_help_lists_the_commands() -> None:
    code, out, _ = run("--help")
    assert code == 0
    assert "list" in out and "new" in out


def test_list_shows_name_pitch_and_what_it_proves() -> None:
    code, out, _ = run("list")
    assert code == 0
    for template in TEMPLATES:
        assert template in out
    assert out.count("Proves:") == len(TEMPLATES)


def test_new_with_defaults_creates_project_with_one_commit(tmp_path: Path) -> None:
    import git

    code, out, err = run("new", "recommender", "--no-input", "-o", str(tmp_path))
    assert code == 0, err
    project = tmp_path / "movie-recommender"
    assert "Created" in out and "Next steps:" in out and "cd " in out and "make all" in out
    repo = git.Repo(project)
    assert repo.active_branch.name == "main"
    commits = list(repo.iter_commits())
    assert len(commits) == 1
    assert commits[0].message.strip() == f"Initial commit from portfolio recommender {__version__}"
    assert commits[0].author.name == AUTHOR[0]
    assert not repo.is_dirty(untracked_files=True)
    answers = json.loads((project / ".portfolio.json").read_text(encoding="utf-8"))
    assert answers["template"] == "recommender"
    assert answers["tool_version"] == __version__
    assert answers["answers"]["author_email"] == AUTHOR[1]
    assert answers["created_at"].endswith("+00:00")
    assert entries(tmp_path) == ["movie-recommender"]


def test_set_values_are_taken_literally(tmp_path: Path) -> None:
    description = 'x {{ 7*7 }} "q" {% raw %}'
    code, _, err = run(
        "new", "classifier-api", "--no-input", "--no-git", "-o", str(tmp_path),
        "--set", "project_name=Fraud Radar", "--set", f"description={description}",
    )  # fmt: skip
    assert code == 0, err
    answers = json.loads((tmp_path / "fraud-radar" / ".portfolio.json").read_text(encoding="utf-8"))
    assert answers["answers"]["description"] == description
    assert not (tmp_path / "fraud-radar" / ".git").exists()


def test_output_dir_is_created_when_missing(tmp_path: Path) -> None:
    code, _, err = run(
        "new", "nlp-pipeline", "--no-input", "--no-git", "-o", str(tmp_path / "a" / "b")
    )
    assert code == 0, err
    assert (tmp_path / "a" / "b" / "text-classification-pipeline" / "README.md").is_file()


def test_prompts_use_defaults_and_reask_on_a_bad_answer(tmp_path: Path) -> None:
    replies = ["Churn Radar", "Bad Slug", "", "", "", "", "", "GPL", "Apache-2.0", ""]
    code, out, err = run(
        "new", "classifier-api", "--no-git", "-o", str(tmp_path), input="\n".join(replies) + "\n"
    )
    assert code == 0, err + out
    assert "invalid project_slug 'Bad Slug'" in out + err
    assert "choose one of: MIT, Apache-2.0, BSD-3-Clause" in out + err
    answers = json.loads((tmp_path / "churn-radar" / ".portfolio.json").read_text(encoding="utf-8"))
    assert answers["answers"]["license"] == "Apache-2.0"
    assert answers["answers"]["author_name"] == AUTHOR[0]  # default from git config


# Bad input: one clear line, a hint, a non-zero exit code, and nothing written.


@pytest.mark.parametrize(
    ("args", "message", "hint"),
    [
        (
            ["--set", "nmae=x"],
            "error: unknown answer key 'nmae'",
            "hint: valid keys: project_name, project_slug",
        ),
        (
            ["--set", "project_slug=../evil"],
            "invalid project_slug '../evil': it is a path",
            "project_slug=evil",
        ),
        (
            ["--set", "project_slug=json"],
            "standard-library module",
            "--set project_slug=json-project",
        ),
        (
            ["--set", "project_slug=class"],
            "is a Python keyword",
            "--set project_slug=class-project",
        ),
        (["--set", "project_slug=My Model"], "lowercase letters", "--set project_slug=my-model"),
        (["--set", "project_name=ÄÖ\nx"], "invalid project_name", ""),
        (
            ["--set", "license=GPL"],
            "choose one of: MIT, Apache-2.0, BSD-3-Clause",
            "--set license=MIT",
        ),
        (["--set", "author_email=nobody"], "invalid author_email 'nobody'", ""),
    ],
)
def test_bad_answers_are_refused_before_writing(
    tmp_path: Path, args: list[str], message: str, hint: str
) -> None:
    code, out, err = run("new", "recommender", "--no-input", "-o", str(tmp_path), *args)
    assert code == 2
    assert message in err
    assert hint in err
    assert "Traceback" not in err + out
    assert err.splitlines()[0].startswith("error: ")
    assert entries(tmp_path) == []


def test_set_without_equals_is_a_usage_error(tmp_path: Path) -> None:
    code, _, err = run("new", "recommender", "--no-input", "-o", str(tmp_path), "--set", "novalue")
    assert code == 2
    assert "'novalue' is not KEY=VALUE" in err
    assert entries(tmp_path) == []


def test_unknown_template_suggests_and_writes_nothing(tmp_path: Path) -> None:
    code, _, err = run("new", "recomender", "--no-input", "-o", str(tmp_path))
    assert code == 2  # bad input
    assert "error: unknown template 'recomender'" in err
    assert "did you mean 'recommender'?" in err
    assert entries(tmp_path) == []


def test_existing_target_is_never_touched(tmp_path: Path) -> None:
    target = tmp_path / "movie-recommender"
    target.mkdir()
    (target / "notes.txt").write_text("mine", encoding="utf-8")
    code, _, err = run("new", "recommender", "--no-input", "-o", str(tmp_path))
    assert code == 2  # bad input
    assert f"error: {target} already exists; nothing was written" in err
    assert "--set project_slug=movie-recommender-2" in err and "-o DIR" in err
    assert entries(tmp_path) == ["movie-recommender"]
    assert entries(target) == ["notes.txt"]
    assert (target / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_existing_target_is_refused_before_later_questions(tmp_path: Path) -> None:
    (tmp_path / "taken").mkdir()
    replies = ["Taken", "", "fresh", "", "", "", "", "", ""]
    code, out, err = run(
        "new", "recommender", "--no-git", "-o", str(tmp_path), input="\n".join(replies) + "\n"
    )
    assert code == 0, err + out
    assert "already exists" in out + err
    assert entries(tmp_path) == ["fresh", "taken"]


def test_missing_git_is_explained(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    code, _, err = run("new", "recommender", "--no-input", "-o", str(out_dir))
    assert code == 1
    assert "error: git is not installed" in err
    assert "--no-git" in err
    assert entries(out_dir) == []


def test_no_git_works_without_git_installed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    code, out, err = run("new", "recommender", "--no-input", "--no-git", "-o", str(tmp_path))
    assert code == 0, err
    assert "git init -b main" in out
    assert (tmp_path / "movie-recommender" / ".portfolio.json").is_file()


def test_commit_falls_back_to_the_answers_author(
    tmp_path: Path, isolated_git: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import git

    isolated_git.write_text("", encoding="utf-8")
    monkeypatch.setenv("EMAIL", "")
    code, out, err = run(
        "new", "recommender", "--no-input", "-o", str(tmp_path),
        "--set", "author_name=Ada Lovelace", "--set", "author_email=ada@example.org",
    )  # fmt: skip
    assert code == 0, err
    assert "git has no user.name/user.email" in out
    assert "Ada Lovelace <ada@example.org>" in out
    commit = git.Repo(tmp_path / "movie-recommender").head.commit
    assert (commit.author.name, commit.author.email) == ("Ada Lovelace", "ada@example.org")
    assert isolated_git.read_text(encoding="utf-8") == ""


def test_ctrl_c_prints_one_line_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import portfolio.generate

    def interrupted(*_args: object, **_kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(portfolio.generate, "write_answers_file", interrupted)
    code, _, err = run("new", "recommender", "--no-input", "-o", str(tmp_path))
    assert code == 130
    assert err == "\ninterrupted; nothing was written\n"
    assert entries(tmp_path) == []
