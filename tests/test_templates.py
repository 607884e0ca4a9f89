from pathlib import Path

import pytest

from portfolio.errors import TemplateError
from portfolio.templates import all_templates, describe, template_names, templates_root
from tests.conftest import TEMPLATES


def test_the_three_templates_are_offered_and_layers_are_not() -> None:
    assert template_names() == sorted(TEMPLATES)


@pytest.mark.parametrize("template", TEMPLATES)
def test_every_template_is_described(template: str) -> None:
    info = describe(template)
    assert info.title and info.pitch and info.proves
    assert info.layers[0] == templates_root() / "_common"


@pytest.mark.parametrize(
    ("typo", "suggestion"),
    [("recomender", "recommender"), ("classifier", "classifier-api"), ("nlp", "nlp-pipeline")],
)
def test_unknown_template_suggests_the_closest(typo: str, suggestion: str) -> None:
    with pytest.raises(TemplateError) as info:
        describe(typo)
    assert f"unknown template {typo!r}" in info.value.message
    assert f"did you mean {suggestion!r}?" in info.value.hint


def test_unrelated_name_lists_every_template() -> None:
    with pytest.raises(TemplateError) as info:
        describe("zzzz")
    assert all(name in info.value.hint for name in TEMPLATES)


def test_broken_description_is_a_template_error(tmp_path: Path) -> None:
    (tmp_path / "_common").mkdir()
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "template.toml").write_text("title = 'x'\n", encoding="utf-8")
    with pytest.raises(TemplateError, match="broken template.toml"):
        describe("bad", tmp_path)


def test_all_templates_describes_each() -> None:
    assert [t.name for t in all_templates()] == sorted(TEMPLATES)


@pytest.mark.parametrize("template", TEMPLATES)
def test_every_template_has_github_topics(template: str) -> None:
    topics = describe(template).topics
    assert len(topics) >= 3
    assert all(t == t.lower() and " " not in t for t in topics)
