"""Jinja filters that turn an answer into a quoted literal of the target file's format.

Answers are data: a description may hold quotes, backslashes, newlines or ``{{``. Jinja never
re-renders an inserted value, but the file format would still break on an unescaped quote, so
every template inserts answers into TOML, YAML, JSON and Python through these filters, and
into Markdown prose through ``as_markdown``. The templates name this class in
``_extensions``, so plain cookiecutter renders them the same way.
"""

from __future__ import annotations

import json
import re
from typing import Any

from jinja2 import Environment
from jinja2.ext import Extension

_TOML_SHORT = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}
_YAML_SHORT = {'"': '\\"', "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _unicode_escape(char: str) -> str:
    code = ord(char)
    return f"\\u{code:04X}" if code <= 0xFFFF else f"\\U{code:08X}"


def as_toml(value: Any) -> str:
    """Return a TOML basic string; control characters are escaped, other text kept as is."""
    out = []
    for char in str(value):
        if char in _TOML_SHORT:
            out.append(_TOML_SHORT[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(_unicode_escape(char))
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _yaml_printable(char: str) -> bool:
    # YAML 1.1 (PyYAML) allows these unescaped; NEL, LS and PS are line breaks there and the
    # BOM is stripped, so those are escaped too.
    code = ord(char)
    if char in "\x85\u2028\u2029\ufeff":
        return False
    return (
        0x20 <= code <= 0x7E
        or 0xA0 <= code <= 0xD7FF
        or 0xE000 <= code <= 0xFFFD
        or code >= 0x10000
    )


def as_yaml(value: Any) -> str:
    """Return a YAML double-quoted scalar that PyYAML and YAML 1.2 parsers read back exactly."""
    out = []
    for char in str(value):
        if char in _YAML_SHORT:
            out.append(_YAML_SHORT[char])
        elif _yaml_printable(char):
            out.append(char)
        else:
            out.append(_unicode_escape(char))
    return '"' + "".join(out) + '"'


def as_json(value: Any) -> str:
    """Return a JSON string literal (any JSON value, in fact) with non-ASCII text kept readable."""
    return json.dumps(value, ensure_ascii=False)


def as_python(value: Any) -> str:
    """Return a Python literal that evaluates back to the value.

    Strings get double quotes (a JSON string is a valid Python string literal), the style
    ``ruff format`` keeps, so a generated project stays format-clean whatever the answer.
    """
    return json.dumps(value, ensure_ascii=False) if isinstance(value, str) else repr(value)


#: What makes a line more than paragraph text when it starts it: a heading, a quote, a list
#: item, a code fence, a thematic break or setext underline, a link reference definition.
_BLOCK_START = re.compile(
    r"#{1,6}(?=[ \t]|$)|>|[-+*](?=[ \t]|$)|(?P<number>\d{1,9})[.)](?=[ \t]|$)"
    r"|`{3,}|~{3,}|\[|(?:[-*_=][ \t]*){2,}$|=+[ \t]*$"
)
#: A ``<`` that would open raw HTML: a tag, a comment (a marker block's), a declaration.
_HTML_START = re.compile(r"<(?=[A-Za-z/!?])")
_BACKTICKS = re.compile(r"`+")


def as_markdown(value: Any) -> str:
    """Return ``value`` as Markdown prose that renders as the text typed, and only as text.

    The README shows the description as a paragraph. Raw HTML in it (an HTML comment such
    as ``<!-- portfolio:results:start -->`` most of all: it would become a second marker that
    stops the report step) and a line that would start a heading, list, quote or code block
    are neutralised with the backslash escapes CommonMark and GitHub render as the character
    itself; code spans are left alone, since escapes mean nothing inside them. Ordinary text,
    emphasis and links render exactly as before.
    """
    lines = [line.strip() for line in str(value).splitlines()]
    return "\n".join(_escape_html(_escape_block_start(line)) for line in lines)


def _escape_block_start(line: str) -> str:
    match = _BLOCK_START.match(line)
    if match is None:
        return line
    if match["number"] is not None:  # "1." starts a list; "1\." is just the number
        cut = match.end("number")
        return f"{line[:cut]}\\{line[cut:]}"
    return f"\\{line}"


def _escape_html(line: str) -> str:
    """Escape every ``<`` that opens HTML, except inside code spans (where it is literal)."""
    out = []
    position = 0
    for start, end in _code_spans(line):
        out += [_escape_tags(line[position:start]), line[start:end]]
        position = end
    out.append(_escape_tags(line[position:]))
    return "".join(out)


def _escape_tags(text: str) -> str:
    def escape(match: re.Match[str]) -> str:
        backslashes = len(text[: match.start()]) - len(text[: match.start()].rstrip("\\"))
        return "<" if backslashes % 2 else "\\<"  # an odd run already escapes it

    return _HTML_START.sub(escape, text)


def _code_spans(line: str) -> list[tuple[int, int]]:
    """Return where the code spans are: a run of backticks up to the next run as long.

    As in CommonMark, a backslash before an opening run escapes its first backtick, so the
    rest of the run opens; inside a span nothing is escaped, so a closing run counts whole
    even after a backslash.
    """
    runs = [(run.start(), run.end()) for run in _BACKTICKS.finditer(line)]
    spans = []
    index = 0
    while index < len(runs):
        start, end = runs[index]
        if (start - len(line[:start].rstrip("\\"))) % 2:
            start += 1
        closing = next(
            (j for j in range(index + 1, len(runs)) if runs[j][1] - runs[j][0] == end - start),
            None,
        )
        if start == end or closing is None:
            index += 1
            continue
        spans.append((start, runs[closing][1]))
        index = closing + 1
    return spans


class DataFilters(Extension):
    """Registers ``as_toml``, ``as_yaml``, ``as_json``, ``as_python`` and ``as_markdown``."""

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        environment.filters.update(
            as_toml=as_toml,
            as_yaml=as_yaml,
            as_json=as_json,
            as_python=as_python,
            as_markdown=as_markdown,
        )
