"""Atomic generation: the project appears whole or not at all."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from portfolio.errors import DestinationExistsError, GitError, TemplateError
from portfolio.generate import create_project, template_context
from portfolio.questions import resolve_answers
from portfolio.templates import TemplateInfo, describe


def _answers(info: TemplateInfo, **given: str) -> dict[str, object]:
    return resolve_answers(template_context(info), given=given)


def _broken_template(tmp_path: Path, content: str) -> TemplateInfo:
    info = describe("recommender")
    broken = tmp_path / "broken-template"
    shutil.copytree(info.path, broken)
    slug_dir = broken / "{{cookiecutter.project_slug}}"
    (slug_dir / "zz_last.txt").write_text(content, encoding="utf-8")
    return replace(info, path=broken)


def test_render_error_names_the_file_and_leaves_nothing(tmp_path: Path) -> None:
    info = _broken_template(tmp_path, "{% if %}")
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(TemplateError) as error:
        create_project(info, _answers(info), output_dir=out)
    assert "zz_last.txt" in error.value.message
    assert list(out.iterdir()) == []


def test_undefined_variable_leaves_nothing_and_removes_created_folders(tmp_path: Path) -> None:
    info = _broken_template(tmp_path, "{{ cookiecutter.nope }}")
    out = tmp_path / "new" / "deeper"
    with pytest.raises(TemplateError, match="failed to render"):
        create_project(info, _answers(info), output_dir=out)
    assert not (tmp_path / "new").exists()


def test_ctrl_c_during_rendering_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import cookiecutter.generate

    real = cookiecutter.generate.generate_file
    calls = []

    def interrupt_on_third_file(*args: object, **kwargs: object) -> None:
        calls.append(args)
        if len(calls) == 3:
            raise KeyboardInterrupt
        real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(cookiecutter.generate, "generate_file", interrupt_on_third_file)
    info = describe("recommender")
    with pytest.raises(KeyboardInterrupt):
        create_project(info, _answers(info), output_dir=tmp_path)
    assert len(calls) == 3
    assert list(tmp_path.iterdir()) == []


def test_git_failure_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import portfolio.generate

    def failing_commit(*_args: object, **_kwargs: object) -> None:
        raise GitError("git commit failed: simulated")

    monkeypatch.setattr(portfolio.generate, "init_and_commit", failing_commit)
    info = describe("recommender")
    with pytest.raises(GitError):
        create_project(info, _answers(info), output_dir=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_target_created_meanwhile_is_not_overwritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import portfolio.generate

    real = portfolio.generate.write_answers_file

    def someone_else_creates_the_target(project: Path, answers: object) -> Path:
        (tmp_path / "movie-recommender").mkdir()
        return real(project, answers)  # type: ignore[arg-type]

    monkeypatch.setattr(portfolio.generate, "write_answers_file", someone_else_creates_the_target)
    info = describe("recommender")
    with pytest.raises(DestinationExistsError):
        create_project(info, _answers(info), output_dir=tmp_path, init_git=False)
    assert [p.name for p in tmp_path.iterdir()] == ["movie-recommender"]
    assert list((tmp_path / "movie-recommender").iterdir()) == []
