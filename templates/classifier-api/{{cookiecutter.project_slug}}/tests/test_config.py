from pathlib import Path
from typing import Any

import pytest
from conftest import fixture_values, write_config

from {{ cookiecutter.__package }}.config import (
    ConfigError,
    load_config,
    parse_config,
)


def _set(values: dict[str, Any], key: str, value: Any) -> dict[str, Any]:
    *parents, last = key.split(".")
    target = values
    for parent in parents:
        target = target.setdefault(parent, {})
    target[last] = value
    return values


def _error(tmp_path: Path, key: str, value: Any) -> str:
    with pytest.raises(ConfigError) as caught:
        parse_config(_set(fixture_values(), key, value), tmp_path)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_the_tests_config_is_valid(tmp_path: Path) -> None:
    config = parse_config(fixture_values(), tmp_path)
    assert config.data_path is not None and config.data_path.is_file()
    assert config.data.csv.delimiter == "auto"
    assert config.costs.errors.false_negative > config.costs.errors.false_positive > 0
    assert config.paths.root == tmp_path


def test_an_unknown_key_is_named_with_the_allowed_keys(tmp_path: Path) -> None:
    message = _error(tmp_path, "costs.false_postive", 1)
    assert "unknown key 'costs.false_postive'" in message
    assert "allowed keys: false_positive, false_negative, currency" in message


def test_an_unknown_key_inside_the_csv_options_is_named(tmp_path: Path) -> None:
    message = _error(tmp_path, "data.csv.delimter", ";")
    assert "unknown key 'data.csv.delimter'" in message
    assert "delimiter" in message and "encoding" in message


# Every key, with a bad value: the one-line error names the key.
@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("data.source", "s3", "data.source = 's3': choose one of"),
        ("data.path", ["a.csv"], "data.path"),
        ("data.csv.delimiter", ":", "data.csv.delimiter = ':': choose one of"),
        ("data.csv.delimiter", 1, "data.csv.delimiter = 1"),
        ("data.csv.encoding", "utf-99", "encoding 'utf-99' is not a known codec"),
        ("data.csv.encoding", "", "data.csv.encoding"),
        ("data.csv.decimal", ";", "data.csv.decimal = ';': choose one of"),
        ("data.csv.thousands", "x", "data.csv.thousands = 'x': choose one of"),
        ("data.csv.header", "no", "data.csv.header = 'no'"),
        ("data.csv.column_names", "a,b", "data.csv.column_names = 'a,b'"),
        ("data.csv.missing_values", [None], "data.csv.missing_values[0]"),
        ("data.openml.version", 0, "data.openml.version = 0"),
        ("target", "", "target = ''"),
        ("positive_label", True, "positive_label = True: must be text or a whole number"),
        ("positive_label", 1.5, "positive_label = 1.5"),
        ("drop_columns", "id", "drop_columns = 'id'"),
        ("categorical_columns", [1], "categorical_columns[0] = 1"),
        ("subgroup_columns", "sex", "subgroup_columns = 'sex'"),
        ("value_labels", ["sex"], "value_labels = ['sex']"),
        ("value_labels.sex", "male", "value_labels.sex = 'male'"),
        ("value_labels.sex", {1: 2}, "value_labels.sex[1] = 2: input should be a valid string"),
        ("value_labels.sex", {1.5: "x"}, "must be text or a whole number"),
        ("value_labels.sex", {1: ""}, "value_labels.sex[1] = ''"),
        ("quality.keep_columns", "id", "quality.keep_columns = 'id'"),
        ("quality.drop_constant", True, "unknown key 'quality.drop_constant'"),
        ("costs.false_positive", -1, "costs.false_positive = -1"),
        ("costs.false_negative", "a lot", "costs.false_negative = 'a lot'"),
        ("costs.false_negative", float("inf"), "costs.false_negative = inf"),
        ("cases_per_period", 0, "cases_per_period = 0"),
        ("split.test_size", 1.0, "split.test_size = 1.0"),
        ("split.validation_size", "0.2", "split.validation_size = '0.2'"),
        ("model.cv_folds", 1, "model.cv_folds = 1"),
        ("model.selection_metric", "accuracy", "model.selection_metric = 'accuracy'"),
        ("model.n_jobs", 1.5, "model.n_jobs = 1.5"),
        ("model.max_categories", 1, "model.max_categories = 1"),
        ("evaluation.bootstrap_resamples", 10.5, "evaluation.bootstrap_resamples = 10.5"),
        ("evaluation.confidence", 95, "evaluation.confidence = 95"),
        ("evaluation.min_group_size", 0, "evaluation.min_group_size = 0"),
        ("evaluation.min_group_size", "20", "evaluation.min_group_size = '20'"),
        ("random_seed", -1, "random_seed = -1"),
    ],
)
def test_a_bad_value_is_one_line_naming_the_key(
    tmp_path: Path, key: str, value: Any, expected: str
) -> None:
    assert expected in _error(tmp_path, key, value)


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("data.csv", {"decimal": ",", "thousands": ","}, "decimal and thousands are both ','"),
        ("data.csv", {"delimiter": ",", "decimal": ","}, "decimal ',' is also the delimiter"),
        ("data.csv", {"header": False}, "header is false, so column_names must list"),
        ("data.csv", {"header": False, "column_names": ["a", "a"]}, "lists 'a' more than once"),
        ("drop_columns", ["progression"], "drop_columns lists the target"),
        ("subgroup_columns", ["sex", "sex"], "subgroup_columns lists 'sex' more than once"),
        ("value_labels", {"progression": {"a": "b"}}, "value_labels names the target"),
        ("costs", {"false_positive": 0, "false_negative": 0}, "at least one error must have"),
    ],
)
def test_inconsistent_values_are_named(tmp_path: Path, key: str, value: Any, expected: str) -> None:
    assert expected in _error(tmp_path, key, value)


def test_delimiters_may_be_written_as_names(tmp_path: Path) -> None:
    config = parse_config(_set(fixture_values(), "data.csv.delimiter", "tab"), tmp_path)
    assert config.data.csv.delimiter == "\t"


def test_codes_may_be_numbers_or_text(tmp_path: Path) -> None:
    values = _set(fixture_values(), "value_labels.sex", {1: "one", "A2": "two"})
    config = parse_config(_set(values, "positive_label", 2), tmp_path)
    assert config.value_labels["sex"] == {"1": "one", "A2": "two"}
    assert config.positive_label == "2"


def test_openml_needs_exactly_one_of_name_or_id(tmp_path: Path) -> None:
    values = _set(fixture_values(), "data.source", "openml")
    with pytest.raises(ConfigError, match="exactly one of openml.name or openml.data_id"):
        parse_config(values, tmp_path)
    config = parse_config(_set(values, "data.openml.name", "adult"), tmp_path)
    assert config.openml_cache == tmp_path / "data" / "raw" / "openml"


def test_paths_are_relative_to_the_config_file(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path, data__path="elsewhere/table.parquet"))
    assert config.data_path == tmp_path / "elsewhere" / "table.parquet"
    assert config.paths.models == tmp_path / "models"
    assert config.paths.config_file == tmp_path / "params.yaml"


def test_a_missing_or_broken_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "absent.yaml")
    broken = tmp_path / "params.yaml"
    broken.write_text("target: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(broken)
