"""Tests for reading config files into strict models with one-line errors."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import pytest

from {{cookiecutter.__package}}.settings import (
    ConfigError,
    ConfigPath,
    StrictModel,
    StrTuple,
    read_config_file,
    validate_config,
)


class Columns(StrictModel):
    target: str
    drop: StrTuple = ()


class Data(StrictModel):
    path: ConfigPath
    delimiter: Literal[",", ";", "\t"] = ","
    columns: Columns
    labels: dict[str, Columns] = {}


class Settings(StrictModel):
    data: Data
    k: int = 10
    test_fraction: float = 0.2


def _valid() -> dict[str, object]:
    return {"data": {"path": "data/x.csv", "columns": {"target": "y", "drop": ["id"]}}}


def _error(data: dict[str, object]) -> str:
    with pytest.raises(ConfigError) as caught:
        validate_config(Settings, data, source="config.toml")
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("config.toml: ")
    return message


def test_valid_data_keeps_the_file_spelling_of_paths_and_lists() -> None:
    settings = validate_config(Settings, _valid(), source="config.toml")
    assert settings.data.path == Path("data/x.csv")
    assert settings.data.columns.drop == ("id",)


def test_an_unknown_key_lists_the_allowed_keys_of_its_section() -> None:
    data = _valid()
    data["data"]["delimter"] = ";"  # type: ignore[index]
    message = _error(data)
    assert "unknown key 'data.delimter'" in message
    assert "allowed keys: path, delimiter, columns, labels" in message


def test_an_unknown_key_inside_a_mapping_of_sections_lists_that_section() -> None:
    data = _valid()
    data["data"]["labels"] = {"colour": {"target": "y", "extra": 1}}  # type: ignore[index]
    assert "allowed keys: target, drop" in _error(data)


def test_a_value_outside_the_choices_names_them() -> None:
    data = _valid()
    data["data"]["delimiter"] = "|"  # type: ignore[index]
    message = _error(data)
    assert "data.delimiter = '|'" in message
    assert "choose one of" in message and "';'" in message


@pytest.mark.parametrize(
    ("key", "value"), [("k", 10.5), ("k", True), ("test_fraction", "0.2"), ("k", "10")]
)
def test_types_are_not_coerced(key: str, value: object) -> None:
    data = _valid()
    data[key] = value
    assert f"{key} = {value!r}" in _error(data)


def test_a_missing_key_is_named_with_its_path() -> None:
    data = _valid()
    del data["data"]["columns"]["target"]  # type: ignore[index]
    assert "data.columns.target is required" in _error(data)


def test_many_errors_stay_on_one_line() -> None:
    message = _error({"data": {}, "a": 1, "b": 2, "c": 3})
    assert "more)" in message


def test_toml_and_yaml_files_are_read(tmp_path: Path) -> None:
    toml = tmp_path / "config.toml"
    toml.write_text('k = 3\n[data]\npath = "x"\n', encoding="utf-8")
    assert read_config_file(toml) == {"k": 3, "data": {"path": "x"}}


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("config.toml", "k = = 3\n", "is not valid TOML"),
        ("config.toml", "", None),
        ("missing.toml", None, "not found"),
    ],
)
def test_unreadable_files_give_one_line(
    tmp_path: Path, name: str, text: str | None, expected: str | None
) -> None:
    path = tmp_path / name
    if text is not None:
        path.write_text(text, encoding="utf-8")
    if expected is None:
        assert read_config_file(path) == {}
        return
    with pytest.raises(ConfigError, match=expected):
        read_config_file(path)


def test_yaml_files_are_read_where_the_project_uses_yaml(tmp_path: Path) -> None:
    pytest.importorskip("yaml", reason="only projects configured in YAML depend on PyYAML")
    path = tmp_path / "params.yaml"
    path.write_text("k: 3\ndata:\n  path: x\n", encoding="utf-8")
    assert read_config_file(path) == {"k": 3, "data": {"path": "x"}}
    path.write_text("- a list\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="keys and values at the top level"):
        read_config_file(path)
