"""The config is checked in one place: every bad key or value is one line naming it."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from corpora import fixture_settings, toml_text

from {{ cookiecutter.__package }}.config import ConfigError, load_config

FOUR_CLASSES = {"1": "World", "2": "Sports", "3": "Business", "4": "Sci/Tech"}


def _load(tmp_path: Path, settings: dict[str, Any]):
    path = tmp_path / "config.toml"
    path.write_text(toml_text(settings), encoding="utf-8")
    return load_config(path)


def _changed(section: str, key: str, value: Any) -> dict[str, Any]:
    settings = copy.deepcopy(fixture_settings())
    target = settings
    for part in section.split(".") if section else []:
        target = target.setdefault(part, {})
    if value is None:
        target.pop(key, None)
    else:
        target[key] = value
    return settings


def _four_classes(**costs: Any) -> dict[str, Any]:
    settings = copy.deepcopy(fixture_settings())
    settings["labels"] = {"map": dict(FOUR_CLASSES)}
    settings["costs"] = {"currency": "EUR", **costs}
    return settings


def _error(tmp_path: Path, settings: dict[str, Any]) -> str:
    with pytest.raises(ConfigError) as caught:
        _load(tmp_path, settings)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("config.toml: ")
    return message


def test_the_fixture_config_loads_with_defaults_for_what_it_leaves_out(tmp_path: Path) -> None:
    config = _load(tmp_path, fixture_settings())
    assert config.labels.classes == ("ham", "spam")
    assert config.labels.binary
    assert config.data.delimiter == "auto"
    assert config.download is None
    assert config.dedup.near_duplicate_jaccard == 0.7


def test_relative_paths_start_from_the_config_folder(tmp_path: Path) -> None:
    config = _load(tmp_path, fixture_settings())
    assert config.root == tmp_path.resolve()
    assert config.data.path == tmp_path.resolve() / "messages.tsv"
    assert config.models_dir == tmp_path.resolve() / "models"


def test_the_positive_class_comes_second(tmp_path: Path) -> None:
    settings = _changed("labels", "map", {"spam": "spam", "ham": "ham"})
    assert _load(tmp_path, settings).labels.classes == ("ham", "spam")


def test_four_classes_keep_the_order_of_the_map_and_merge_labels(tmp_path: Path) -> None:
    settings = _four_classes()
    settings["labels"]["map"]["5"] = "World"
    config = _load(tmp_path, settings)
    assert config.labels.classes == ("World", "Sports", "Business", "Sci/Tech")
    assert not config.labels.binary


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.toml")


@pytest.mark.parametrize(
    ("section", "key", "value", "named"),
    [
        ("", "seed", "42", "seed = '42'"),
        ("data", "format", "xml", "data.format = 'xml': choose one of"),
        ("data", "delimiter", ";;", "data.delimiter = ';;'"),
        ("data", "delimiter", '"', "data.delimiter"),
        ("data", "header", 0, "data.header = 0"),
        ("data", "columns", ["label", "body"], "columns lacks 'text'"),
        ("data", "text_columns", [], "text_columns must name at least one column"),
        ("data", "text_columns", ["text", "text"], "a column is named twice"),
        ("data", "text_columns", "text", "data.text_columns = 'text'"),
        ("data", "label_column", "text", "label_column 'text' is also a text column"),
        ("data", "encoding", "no-such-codec", "data.encoding = 'no-such-codec'"),
        ("data", "quoting", "all", "data.quoting = 'all'"),
        ("data", "max_bad_fraction", 2.0, "data.max_bad_fraction = 2.0"),
        ("data", "path", None, "data.path is required"),
        ("labels", "map", {}, "map must list every raw label"),
        ("labels", "map", {"ham": "ham", "spam": "ham"}, "a classifier needs two or more"),
        ("labels", "map", {"ham": "", "spam": "spam"}, "labels.map.ham = ''"),
        ("labels", "drop", ["ham"], "label 'ham' is both mapped and dropped"),
        ("labels", "drop", "junk", "labels.drop = 'junk'"),
        ("labels", "positive", "junk", "positive = 'junk' is not a class"),
        ("labels", "positive", None, "set positive to the class the decision acts on"),
        ("labels", "action", "", "labels.action = ''"),
        ("dataset", "item", "", "dataset.item = ''"),
        ("dataset", "items", 3, "dataset.items = 3"),
        ("dataset", "licence", ["CC"], "dataset.licence"),
        ("dedup", "bands", 30, "multiple of bands"),
        ("split", "test_fraction", 0.9, "split.test_fraction = 0.9"),
        ("split", "test_fraction", "0.2", "split.test_fraction = '0.2'"),
        ("features", "word_ngrams", [2, 1], "features.word_ngrams"),
        ("model", "kind", "bert", "model.kind = 'bert'"),
        ("model", "C", [], "model.C = []: use one number such as 20.0"),
        ("model", "C", "high", "model.C = 'high': use one number"),
        ("model", "C", [1.0, -2.0], "model.C[1] = -2.0"),
        ("model", "C", [1, 10], None),
        ("model", "tuning_folds", 1, "model.tuning_folds = 1"),
        ("model", "tuning_texts", 99, "model.tuning_texts = 99: use a number of training texts"),
        ("model", "tuning_texts", "most", "model.tuning_texts = 'most': use a number of"),
        ("model", "tuning_texts", True, "model.tuning_texts = True: use a number of"),
        ("model", "calibration", "always", "model.calibration = 'always': choose one of"),
        ("costs", "false_positive", -1.0, "costs.false_positive = -1.0"),
        ("costs", "false_positive", None, "costs.false_positive is required with two classes"),
        ("costs", "matrix", {"ham": {"spam": 1.0}}, "costs.matrix applies to three or more"),
        ("costs", "error", 1.5, None),
        ("report", "confused_pairs", 0, "report.confused_pairs = 0"),
        ("report", "top_errors", 2.5, "report.top_errors = 2.5"),
        ("report", "bootstrap_resamples", 10, "report.bootstrap_resamples = 10"),
        ("report", "min_group_size", 0, "report.min_group_size = 0"),
    ],
)
def test_a_bad_value_is_one_line_naming_its_key(
    tmp_path: Path, section: str, key: str, value: Any, named: str | None
) -> None:
    settings = _changed(section, key, value)
    if named is None:  # a key that is valid but unused with two classes still loads
        _load(tmp_path, settings)
        return
    assert named in _error(tmp_path, settings)


@pytest.mark.parametrize(
    ("section", "key"),
    [("", "sede"), ("data", "delimter"), ("labels", "positve"), ("costs", "matrx")],
)
def test_an_unknown_key_lists_the_allowed_ones(tmp_path: Path, section: str, key: str) -> None:
    message = _error(tmp_path, _changed(section, key, 1))
    dotted = f"{section}.{key}" if section else key
    assert f"unknown key {dotted!r}" in message
    assert "allowed keys:" in message


@pytest.mark.parametrize(
    ("costs", "named"),
    [
        ({"false_positive": 1.0}, "costs.false_positive applies to two classes"),
        ({"matrix": {"World": {"Nowhere": 1.0}}}, "costs.matrix names 'Nowhere'"),
        ({"matrix": {"World": {"World": 1.0}}}, "costs.matrix.World.World must be 0"),
        ({"matrix": {"World": {"Sports": -2.0}}}, "costs.matrix.World.Sports = -2.0"),
        ({"error": 0.0}, "every error costs 0"),
    ],
)
def test_costs_must_fit_the_classes(tmp_path: Path, costs: dict[str, Any], named: str) -> None:
    assert named in _error(tmp_path, _four_classes(**costs))


def test_positive_applies_to_two_classes_only(tmp_path: Path) -> None:
    settings = _four_classes()
    settings["labels"]["positive"] = "World"
    assert "positive applies to two classes only" in _error(tmp_path, settings)


def test_download_checks_its_checksum_and_url(tmp_path: Path) -> None:
    download = {"url": "ftp://x", "sha256": "abc", "dest": "data/raw/x"}
    message = _error(tmp_path, _changed("", "download", download))
    assert "download.url = 'ftp://x'" in message
    assert "download.sha256 = 'abc'" in message


def test_one_c_is_a_grid_of_one_and_a_list_is_sorted_for_tuning(tmp_path: Path) -> None:
    fixed = _load(tmp_path, _changed("model", "C", 20))
    assert fixed.model.C == (20.0,) and not fixed.model.tuned
    tuned = _load(tmp_path, _changed("model", "C", [30.0, 1, 3.0, 1.0]))
    assert tuned.model.C == (1.0, 3.0, 30.0) and tuned.model.tuned


def test_tuning_texts_is_a_number_of_texts_or_all(tmp_path: Path) -> None:
    assert _load(tmp_path, _changed("model", "tuning_texts", 100)).model.tuning_texts == 100
    assert _load(tmp_path, _changed("model", "tuning_texts", "all")).model.tuning_texts == "all"


def test_bootstrap_resamples_are_capped_by_the_draws_and_never_below_200(tmp_path: Path) -> None:
    settings = _changed("report", "bootstrap_resamples", 1000)
    settings["report"]["bootstrap_max_draws"] = 1_000_000
    report = _load(tmp_path, settings).report
    assert report.resamples_for(500) == 1000
    assert report.resamples_for(2000) == 500
    assert report.resamples_for(100_000) == 200
