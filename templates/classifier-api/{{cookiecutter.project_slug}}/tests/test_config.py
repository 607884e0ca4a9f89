from pathlib import Path

import pytest
import yaml
from conftest import PROJECT, write_config

from {{ cookiecutter.__package }}.config import ConfigError, load_config, parse_config


def _values() -> dict:
    return yaml.safe_load((PROJECT / "params.yaml").read_text(encoding="utf-8"))


def test_the_shipped_config_is_valid_and_points_at_the_sample() -> None:
    config = load_config(PROJECT / "params.yaml")
    assert config.data.source == "file"
    assert config.data.path == PROJECT / "data" / "sample" / "diabetes.csv"
    assert config.data.path.is_file()
    assert config.costs.false_negative > config.costs.false_positive > 0
    assert config.paths.root == PROJECT


def test_an_unknown_key_is_named_with_the_allowed_keys(tmp_path: Path) -> None:
    values = _values()
    values["costs"]["false_postive"] = 1
    with pytest.raises(ConfigError, match=r"costs\.false_postive.*allowed keys: false_positive"):
        parse_config(values, tmp_path)


def test_a_bad_choice_lists_the_allowed_values(tmp_path: Path) -> None:
    values = _values()
    values["data"]["source"] = "s3"
    with pytest.raises(ConfigError, match=r"data\.source is 's3'; allowed values: file, openml"):
        parse_config(values, tmp_path)


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        (("costs", "false_positive"), -1, r"costs\.false_positive must be between 0"),
        (("costs", "false_negative"), "a lot", r"costs\.false_negative must be a number"),
        (("split", "test_size"), 1.0, r"split\.test_size must be strictly between 0 and 1"),
        (("model", "cv_folds"), 1, r"model\.cv_folds must be at least 2"),
        (("model", "selection_metric"), "accuracy", r"allowed values: roc_auc, average_precision"),
        (("evaluation", "bootstrap_resamples"), 10.5, r"must be a whole number"),
        (("cases_per_period",), 0, r"cases_per_period must be at least 1"),
        (("subgroup_columns",), "sex", r"subgroup_columns must be a list"),
        (("data", "path"), ["a.csv"], r"data\.path must be a text value"),
    ],
)
def test_bad_values_name_the_key(
    tmp_path: Path, key: tuple[str, ...], value: object, message: str
) -> None:
    values = _values()
    target = values
    for part in key[:-1]:
        target = target[part]
    target[key[-1]] = value
    with pytest.raises(ConfigError, match=message):
        parse_config(values, tmp_path)


def test_costs_cannot_both_be_zero(tmp_path: Path) -> None:
    values = _values()
    values["costs"].update(false_positive=0, false_negative=0)
    with pytest.raises(ConfigError, match="at least one error must have a positive cost"):
        parse_config(values, tmp_path)


def test_the_target_cannot_be_dropped(tmp_path: Path) -> None:
    values = _values()
    values["drop_columns"] = ["progression"]
    with pytest.raises(ConfigError, match="drop_columns lists the target"):
        parse_config(values, tmp_path)


def test_a_csv_without_header_needs_column_names(tmp_path: Path) -> None:
    values = _values()
    values["data"]["csv"]["header"] = False
    with pytest.raises(ConfigError, match="column_names must list the columns"):
        parse_config(values, tmp_path)


def test_openml_needs_exactly_one_of_name_or_id(tmp_path: Path) -> None:
    values = _values()
    values["data"]["source"] = "openml"
    with pytest.raises(ConfigError, match="exactly one of data.openml.name or data.openml.data_id"):
        parse_config(values, tmp_path)
    values["data"]["openml"]["name"] = "adult"
    config = parse_config(values, tmp_path)
    assert config.data.openml.cache_dir == tmp_path / "data" / "raw" / "openml"


def test_paths_are_relative_to_the_config_file(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path, data__path="elsewhere/table.parquet"))
    assert config.data.path == tmp_path / "elsewhere" / "table.parquet"
    assert config.paths.models == tmp_path / "models"
    assert config.paths.config_file == tmp_path / "params.yaml"


def test_a_missing_or_broken_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read the configuration"):
        load_config(tmp_path / "absent.yaml")
    broken = tmp_path / "params.yaml"
    broken.write_text("target: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(broken)
