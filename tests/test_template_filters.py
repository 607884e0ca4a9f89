import json
import tomllib

import pytest
import yaml

from portfolio.template_filters import as_json, as_python, as_toml, as_yaml

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
