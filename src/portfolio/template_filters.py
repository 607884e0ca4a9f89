"""Jinja filters that turn an answer into a quoted literal of the target file's format.

Answers are data: a description may hold quotes, backslashes, newlines or ``{{``. Jinja never
re-renders an inserted value, but the file format would still break on an unescaped quote, so
every template inserts answers into TOML, YAML, JSON and Python through these filters. The
templates name this class in ``_extensions``, so plain cookiecutter renders them the same way.
"""

from __future__ import annotations

import json
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


class DataFilters(Extension):
    """Registers ``as_toml``, ``as_yaml``, ``as_json`` and ``as_python`` on the environment."""

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        environment.filters.update(
            as_toml=as_toml, as_yaml=as_yaml, as_json=as_json, as_python=as_python
        )
