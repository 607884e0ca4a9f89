import json
import re
import tomllib

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.token import Token

from portfolio.template_filters import as_json, as_markdown, as_python, as_toml, as_yaml

AWKWARD = [
    "plain",
    'quote " and \\ backslash',
    "new\nline\ttab\r",
    "{{ 7*7 }} {% raw %} {# c #}",
    "emoji 🚀 and Arabic مرحبا",
    "controls \x00\x01\x1f\x7f",
    "yaml breaks \x85 \u2028 \u2029 \ufeff",
    "'single' and ''' triple",
]


@pytest.mark.parametrize("value", AWKWARD)
def test_as_toml_round_trips(value: str) -> None:
    assert tomllib.loads(f"x = {as_toml(value)}")["x"] == value


@pytest.mark.parametrize("value", AWKWARD)
def test_as_yaml_round_trips(value: str) -> None:
    assert yaml.safe_load(f"x: {as_yaml(value)}")["x"] == value


@pytest.mark.parametrize("value", AWKWARD)
def test_as_json_round_trips(value: str) -> None:
    assert json.loads(as_json(value)) == value


@pytest.mark.parametrize("value", AWKWARD)
def test_as_python_round_trips(value: str) -> None:
    namespace: dict[str, object] = {}
    exec(compile(f"x = {as_python(value)}", "<test>", "exec"), namespace)  # noqa: S102
    assert namespace["x"] == value


def test_as_toml_keeps_readable_unicode() -> None:
    assert as_toml("café 🚀") == '"café 🚀"'


def test_as_python_uses_the_double_quotes_ruff_keeps() -> None:
    assert as_python("it's") == '"it\'s"'


MARKER = re.compile(r"^[ \t]*<!--[ \t]*portfolio:[A-Za-z0-9][A-Za-z0-9_.-]*:(start|end)", re.M)
#: What a description may render as: paragraphs of inline text, never structure or raw HTML.
PROSE = {"paragraph_open", "paragraph_close", "inline"}
INLINE = {"text", "softbreak", "hardbreak", "code_inline", "em_open", "em_close"}
INLINE |= {"strong_open", "strong_close", "link_open", "link_close", "image"}


def _render(text: str) -> list[Token]:
    return MarkdownIt("commonmark").parse(text)


@pytest.mark.parametrize(
    "value",
    [
        "An applied machine-learning project, evaluated in business terms.",
        "A *fast* model with `code` and a [link](https://example.com).",
        "Costs 5 < 7 and 9 > 3, A & B.",
    ],
)
def test_as_markdown_leaves_ordinary_text_as_it_is(value: str) -> None:
    assert as_markdown(value) == value


def test_as_markdown_neutralises_a_marker_and_shows_it_as_typed() -> None:
    value = "Churn model\n<!-- portfolio:results:start -->\n# Data\n```\n- x"

    out = as_markdown(value)

    assert MARKER.search(out) is None
    html = MarkdownIt("commonmark").render(out)
    assert html == (
        "<p>Churn model\n&lt;!-- portfolio:results:start --&gt;\n# Data\n```\n- x</p>\n"
    )


def test_as_markdown_keeps_html_inside_a_code_span_literal() -> None:
    assert as_markdown("use `<b>` here") == "use `<b>` here"


def test_a_backslash_does_not_escape_the_backtick_that_would_close_a_span() -> None:
    # Inside a span a backslash is literal, so the closing run here is two backticks long and
    # closes nothing: the comment is text, and must be escaped as text.
    out = as_markdown("`<!-- portfolio:results:start -->\\``")

    assert MARKER.search(out) is None
    assert {c.type for t in _render(out) for c in (t.children or [])} <= INLINE


@settings(max_examples=300)
@given(
    st.lists(
        st.sampled_from(
            ["<!-- portfolio:results:start -->", "<!--", "-->", "<b>", "</div>", "<?x", "<!X",
             "# ", "###### ", "> ", "- ", "+ ", "* ", "1. ", "2) ", "```", "~~~", "---", "===",
             "***", "___", "[x]: /u", "    ", "\t", "\n", "\n\n", "`", "``", "|", "text", " ",
             "word", "*", "_", "\\", "&", "<", ">"]
        ),
        max_size=12,
    ).map("".join)
)  # fmt: skip
def test_as_markdown_renders_as_prose_whatever_was_typed(value: str) -> None:
    out = as_markdown(value)
    tokens = _render(out)

    assert MARKER.search(out) is None
    assert {t.type for t in tokens} <= PROSE, out
    children = {c.type for t in tokens for c in (t.children or [])}
    assert children <= INLINE, out
