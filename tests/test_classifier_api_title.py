"""A project name with Markdown or HTML in it is the title of classifier-api's README and card.

The name reaches the first line of README.md and MODEL_CARD.md through ``as_markdown``: raw
HTML in it is shown as typed instead of becoming a tag GitHub would strip (with the text
around it), emphasis stays emphasis, and the showcase still reads the title the owner typed.
"""

from __future__ import annotations

from pathlib import Path

from markdown_it import MarkdownIt

from portfolio.projectcard import readme_title
from tests.conftest import generate

NAME = "My *churn* model <img src=x> & <b>alerts</b>"
TITLES = {"README.md": "", "MODEL_CARD.md": "Model card: "}


def _heading_html(line: str) -> str:
    return MarkdownIt("commonmark").render(line).strip()


def test_an_html_name_is_shown_as_typed_in_both_titles_and_the_card(tmp_path: Path) -> None:
    project = generate("classifier-api", tmp_path, init_git=False, project_name=NAME).path

    for document, prefix in TITLES.items():
        title = (project / document).read_text(encoding="utf-8").splitlines()[0]
        assert title.startswith(f"# {prefix}My *churn* model \\<img"), title
        assert _heading_html(title) == (
            f"<h1>{prefix}My <em>churn</em> model &lt;img src=x&gt; &amp; "
            "&lt;b&gt;alerts&lt;/b&gt;</h1>"
        )
    # The showcase card's title is the README's, so it renders the same text.
    readme = (project / "README.md").read_text(encoding="utf-8")
    title = readme_title(readme)
    assert title is not None
    assert _heading_html(f"# {title}") == _heading_html(readme.splitlines()[0])
