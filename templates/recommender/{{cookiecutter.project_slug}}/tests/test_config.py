"""The configuration is validated in one place, with messages that name the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from {{ cookiecutter.__package }}.config import ConfigError, load_config

from tests.conftest import ROOT


def test_the_shipped_config_loads_and_points_at_the_sample() -> None:
    config = load_config(ROOT / "config.toml")

    assert config.data.interactions.is_file()
    assert config.data.items is not None and config.data.items.is_file()
    assert config.split.strategy == "temporal"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[split]\nstrategy = "shuffle"\n', "split.strategy"),
        ("[split]\ntest_size = 0.2\n", "unknown keys"),
        ('[models]\nenabled = ["ease"]\n', "random"),
        ('[models]\nenabled = ["random", "svd"]\n', "unknown models"),
        ('[models]\nenabled = ["random", "popularity"]\n', "recommend.model"),
        ("[evaluation]\nk = 0\n", "evaluation.k"),
        ('[data]\nsource = "s3"\n', "data.source"),
        ("seed = [", "not valid TOML"),
    ],
)
def test_bad_values_are_refused_with_the_key_named(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")

    with pytest.raises(ConfigError, match=message):
        load_config(path)


def test_a_missing_config_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.toml")
