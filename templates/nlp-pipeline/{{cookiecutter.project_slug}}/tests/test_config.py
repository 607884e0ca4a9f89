from pathlib import Path

import pytest

from {{ cookiecutter.__package }}.config import ConfigError, load_config

ROOT = Path(__file__).resolve().parents[1]


def _write(tmp_path: Path, old: str, new: str) -> Path:
    text = (ROOT / "config.toml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "config.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_shipped_config_points_at_the_bundled_sample() -> None:
    config = load_config(ROOT / "config.toml")
    assert config.data.path == ROOT / "data" / "sample" / "sms_spam_sample.tsv"
    assert config.data.path.is_file()
    assert config.costs.false_positive > config.costs.false_negative


def test_relative_paths_start_from_the_config_folder(tmp_path: Path) -> None:
    config = load_config(_write(tmp_path, "seed = 42", "seed = 7"))
    assert config.root == tmp_path.resolve()
    assert config.data.path == tmp_path.resolve() / "data/sample/sms_spam_sample.tsv"


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.toml")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('format = "tsv"', 'format = "xml"', "format"),
        ("seed = 42", 'seed = "42"', "seed must be an integer"),
        ("header = false", "header = 0", "header must be true or false"),
        ("test_fraction = 0.2", "test_fraction = 0.9", "test_fraction must be between"),
        ("bands = 32", "bands = 30", "multiple of bands"),
        ('encoding = "auto"', 'encoding = "no-such-codec"', "encoding"),
        ('columns = ["label", "text"]', 'columns = ["label", "body"]', "lack"),
        ('negative_label = "ham"', 'negative_label = "spam"', "must differ"),
        ("word_ngrams = [1, 2]", "word_ngrams = [2, 1]", "low, high"),
    ],
)
def test_invalid_values_name_their_key(tmp_path: Path, old: str, new: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_config(_write(tmp_path, old, new))


def test_missing_key_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="missing key 'currency' in \\[costs\\]"):
        load_config(_write(tmp_path, 'currency = "EUR"', ""))
