"""The configuration is validated in one place: a bad key or value is one line that names it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from {{ cookiecutter.__package }}.config import ConfigError, load_config

from tests.conftest import DELETE, write_config


def test_the_fixture_config_loads_with_paths_relative_to_its_folder(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path))

    assert config.root == tmp_path.resolve()
    assert config.data.interactions is not None
    assert config.data.interactions.path == tmp_path.resolve() / "data" / "interactions.csv"
    assert config.data.movielens_path == tmp_path.resolve() / "data" / "raw" / "ml-100k"
    assert config.data_files[0] == config.data.interactions.path


def test_plurals_default_to_the_singular_with_an_s(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path, {"names": {"item": "article", "user": "reader"}}))

    assert (config.names.items, config.names.users) == ("articles", "readers")


def test_an_explicit_plural_wins(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path, {"names": {"item": "series", "items": "series"}}))

    assert config.names.items == "series"


def test_a_hyperparameter_is_one_value_or_a_list_of_candidates(tmp_path: Path) -> None:
    overrides = {"models": {"ease": {"l2": 300}, "item_knn": {"neighbours": [50, 10, 50]}}}
    config = load_config(write_config(tmp_path, overrides))

    assert config.models.ease.l2 == (300.0,)
    assert config.models.item_knn.neighbours == (10, 50)
    assert (config.recommend.model, config.recommend.cold_start_model) == ("auto", "auto")


def test_models_run_in_a_fixed_order_whatever_the_listing(tmp_path: Path) -> None:
    overrides = {
        "models": {"enabled": ["popularity", "random"]},
        "recommend": {"model": "popularity", "cold_start_model": "popularity"},
    }
    config = load_config(write_config(tmp_path, overrides))

    assert config.models.enabled == ("random", "popularity")


INTERACTIONS = ("data", "interactions")


def _at(path: tuple[str, ...], value: Any) -> dict[str, Any]:
    out: Any = value
    for key in reversed(path):
        out = {key: out}
    return out


BAD_VALUES = [
    # (where, value, words the one-line message must contain)
    (("seed",), "42", ["seed = '42'"]),
    (("data", "source"), "s3", ["data.source = 's3'", "'file'", "'movielens'"]),
    (("data", "relevance_threshold"), "4", ["data.relevance_threshold = '4'"]),
    ((*INTERACTIONS, "path"), 3, ["data.interactions.path = 3"]),
    ((*INTERACTIONS, "delimiter"), "", ["data.interactions.delimiter = ''", "auto"]),
    ((*INTERACTIONS, "delimiter"), "\n", ["data.interactions.delimiter", "auto"]),
    ((*INTERACTIONS, "header"), "no", ["data.interactions.header = 'no'"]),
    ((*INTERACTIONS, "column_names"), ["a", "a"], ["data.interactions.column_names", "distinct"]),
    ((*INTERACTIONS, "encoding"), "utf-9", ["data.interactions.encoding = 'utf-9'", "latin-1"]),
    ((*INTERACTIONS, "decimal"), ";", ["data.interactions.decimal = ';'", "','"]),
    ((*INTERACTIONS, "columns", "user"), "", ["data.interactions.columns.user = ''"]),
    ((*INTERACTIONS, "columns", "item"), 7, ["data.interactions.columns.item = 7"]),
    ((*INTERACTIONS, "columns", "rating"), False, ["data.interactions.columns.rating = False"]),
    ((*INTERACTIONS, "columns", "timestamp"), 0, ["data.interactions.columns.timestamp = 0"]),
    (("data", "items", "path"), [], ["data.items.path = []"]),
    (("data", "items", "delimiter"), "", ["data.items.delimiter = ''"]),
    (("data", "items", "columns", "item"), "", ["data.items.columns.item = ''"]),
    (("data", "items", "columns", "title"), 1, ["data.items.columns.title = 1"]),
    (("data", "items", "columns", "categories"), ["a"], ["data.items.columns.categories"]),
    (("data", "items", "columns", "category_separator"), "", ["category_separator = ''"]),
    (("data", "items", "columns", "year"), 1.5, ["data.items.columns.year = 1.5"]),
    (("names", "user"), "", ["names.user = ''"]),
    (("names", "items"), 2, ["names.items = 2"]),
    (("names", "interacted"), "", ["names.interacted = ''"]),
    (("split", "strategy"), "shuffle", ["split.strategy = 'shuffle'", "'global'", "'per_user'"]),
    (("split", "strategy"), "temporal", ["split.strategy = 'temporal'", '"per_user" holds out']),
    (("split", "validation_fraction"), 0, ["split.validation_fraction = 0"]),
    (("split", "test_fraction"), "0.2", ["split.test_fraction = '0.2'", "number"]),
    (("split", "test_fraction"), 1.0, ["split.test_fraction = 1.0", "less than 1"]),
    (("split", "min_user_interactions"), 1, ["split.min_user_interactions = 1"]),
    (("split", "cold_start_fraction"), -0.1, ["split.cold_start_fraction = -0.1"]),
    (("split", "cold_start_known"), 2.0, ["split.cold_start_known = 2.0"]),
    (("evaluation", "k"), 10.5, ["evaluation.k = 10.5", "integer"]),
    (("evaluation", "k"), 0, ["evaluation.k = 0"]),
    (("evaluation", "bootstrap_resamples"), True, ["evaluation.bootstrap_resamples = True"]),
    (("evaluation", "confidence"), 95, ["evaluation.confidence = 95"]),
    (("models", "enabled"), ["random", "svd"], ["models.enabled[1] = 'svd'", "'ease'"]),
    (("models", "enabled"), ["ease"], ["models.enabled", "include 'random'"]),
    (("models", "item_knn", "neighbours"), 0, ["models.item_knn.neighbours = 0", "at least 1"]),
    (("models", "item_knn", "neighbours"), [10, 2.5], ["neighbours = [10, 2.5]", "whole number"]),
    (("models", "ease", "l2"), -1, ["models.ease.l2 = -1"]),
    (("models", "ease", "l2"), [], ["models.ease.l2 = []", "non-empty list"]),
    (("models", "ease", "l2"), [100, "250"], ["models.ease.l2 = [100, '250']"]),
    (("models", "content", "popularity_weight"), 2, ["models.content.popularity_weight = 2"]),
    (("recommend", "model"), "svd", ["recommend.model = 'svd'", "'auto'"]),
    (("recommend", "cold_start_model"), "best", ["recommend.cold_start_model = 'best'"]),
    (("tuning", "validation_users"), 0, ["tuning.validation_users = 0"]),
    (("tuning", "validation_users"), "most", ["tuning.validation_users = 'most'", '"all"']),
]


@pytest.mark.parametrize(("where", "value", "words"), BAD_VALUES, ids=lambda p: str(p))
def test_a_bad_value_is_one_line_naming_the_key(
    tmp_path: Path, where: tuple[str, ...], value: object, words: list[str]
) -> None:
    path = write_config(tmp_path, _at(where, value))

    with pytest.raises(ConfigError) as caught:
        load_config(path)

    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("config.toml: ")
    for word in words:
        assert word in message


@pytest.mark.parametrize(
    ("overrides", "words"),
    [
        (
            {"data": {"interactions": {"delimter": ";"}}},
            ["unknown key 'data.interactions.delimter'", "allowed keys:", "delimiter"],
        ),
        ({"split": {"test_size": 0.2}}, ["unknown key 'split.test_size'", "test_fraction"]),
        ({"colour": "red"}, ["unknown key 'colour'", "seed", "names"]),
        (
            {"data": {"interactions": {"header": False}}},
            ["data.interactions", "header = false needs column_names"],
        ),
        (
            {"data": {"interactions": {"column_names": ["a", "b"]}}},
            ["data.interactions", "set header = false"],
        ),
        (
            {"data": {"interactions": {"header": False, "column_names": ["u", "item", "when"]}}},
            ["data.interactions", "columns.user = 'user_id' is not one of column_names"],
        ),
        (
            {"data": {"interactions": {"columns": {"item": "user_id"}}}},
            ["data.interactions", "two roles to the same column"],
        ),
        (
            {
                "data": {
                    "relevance_threshold": 4,
                    "interactions": {"columns": {"rating": ""}},
                }
            },
            ["data: relevance_threshold = 4.0 needs a rating column", "implicit feedback"],
        ),
        ({"data": {"interactions": DELETE}}, ["data", "needs a [data.interactions] table"]),
        (
            {"models": {"enabled": ["random", "popularity"]}, "recommend": {"model": "ease"}},
            ["recommend", "model = 'ease' is not in models.enabled (random, popularity)", "auto"],
        ),
        (
            {"split": {"test_fraction": 0.6, "validation_fraction": 0.4}},
            ["split", "test_fraction + validation_fraction = 1 leaves nothing to train on"],
        ),
    ],
    ids=lambda p: str(p)[:40],
)
def test_inconsistent_settings_are_one_line_naming_the_key(
    tmp_path: Path, overrides: dict[str, Any], words: list[str]
) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(write_config(tmp_path, overrides))

    message = str(caught.value)
    assert "\n" not in message
    for word in words:
        assert word in message, message


def test_a_file_that_is_not_toml_is_named(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("seed = [", encoding="utf-8")

    with pytest.raises(ConfigError, match="config.toml is not valid TOML"):
        load_config(path)


def test_a_missing_config_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.toml")
