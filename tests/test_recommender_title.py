"""The recommender's README and model card show the project's name as typed, on one line.

A name is free text: HTML in it would render as HTML (or, as ``<!--``, hide the rest of the
title), a leading ``#`` or a line separator would change the heading. The titles go through the
tool's ``as_markdown`` filter; the showcase and ``check`` then read the same title back.
"""

from __future__ import annotations

from pathlib import Path

from markdown_it import MarkdownIt

from portfolio.projectcard import readme_title
from tests.conftest import generate

NAME = "My *churn* <b>model</b>\u2028# two <!-- x -->"


def _headings(path: Path) -> list[str]:
    tokens = MarkdownIt("commonmark").parse(path.read_text(encoding="utf-8"))
    return [
        tokens[i + 1].content
        for i, token in enumerate(tokens)
        if token.type == "heading_open" and token.tag == "h1"
    ]


def _rendered_title(path: Path) -> str:
    first = path.read_text(encoding="utf-8").split("\n", 1)[0]
    return MarkdownIt("commonmark").renderInline(first.lstrip("# "))


def test_a_name_with_markup_renders_as_typed_in_one_title(tmp_path: Path) -> None:
    project = generate("recommender", tmp_path, init_git=False, project_name=NAME).path

    readme, card = project / "README.md", project / "MODEL_CARD.md"
    assert len(_headings(readme)) == 1 and len(_headings(card)) == 1
    for path in (readme, card):
        html = _rendered_title(path)
        # Emphasis stays Markdown; the tag, the comment and the heading mark show as typed.
        assert "<em>churn</em>" in html and "<b>" not in html, html
        assert "&lt;b&gt;model&lt;/b&gt; # two &lt;!-- x --&gt;" in html, html
    title = readme_title(readme.read_text(encoding="utf-8"))
    assert title is not None and title.startswith("My *churn* \\<b>model\\</b> \\# two")
