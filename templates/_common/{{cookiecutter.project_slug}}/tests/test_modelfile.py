"""Tests for saving and loading skops files against an exact list of trusted types."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pytest
import skops.io as sio
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import FunctionTransformer

from {{cookiecutter.__package}}.modelfile import (
    ModelFileError,
    dump_model,
    load_model_file,
    types_needing_trust,
)

RUNSTRING = "numpy.testing._private.utils.runstring"


def _crafted_model(path: Path, marker: Path) -> None:
    """Write a skops file whose loading would run ``exec`` on code that creates ``marker``."""
    arguments = json.loads(
        zipfile.ZipFile(_dumped(path.parent / "args.skops", (f"open({str(marker)!r}, 'w')", {})))
        .read("schema.json")
        .decode("utf-8")
    )
    header = {key: arguments.pop(key) for key in ("protocol", "_skops_version") if key in arguments}
    module, name = RUNSTRING.rsplit(".", 1)
    schema = {
        "__class__": name,
        "__module__": module,
        "__loader__": "ConstructorFromReduceNode",
        "content": arguments,
        **header,
    }
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("schema.json", json.dumps(schema))


def _dumped(path: Path, obj: object) -> Path:
    sio.dump(obj, path)
    return path


def _fitted() -> LogisticRegression:
    rng = np.random.default_rng(0)
    features = rng.normal(size=(40, 3))
    return LogisticRegression().fit(features, features[:, 0] > 0)


def test_a_model_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "model.skops"
    model = _fitted()
    dump_model(model, path, trusted=frozenset())
    loaded = load_model_file(path, trusted=frozenset())
    np.testing.assert_array_equal(loaded.coef_, model.coef_)
    assert [p.name for p in tmp_path.iterdir()] == ["model.skops"]


def test_a_crafted_file_naming_exec_is_refused_before_anything_runs(tmp_path: Path) -> None:
    marker = tmp_path / "code-ran"
    path = tmp_path / "model.skops"
    _crafted_model(path, marker)
    assert RUNSTRING in types_needing_trust(path)
    with pytest.raises(ModelFileError, match="does not trust: " + RUNSTRING):
        load_model_file(path, trusted=frozenset({"sklearn.linear_model.LogisticRegression"}))
    assert not marker.exists()


def test_saving_a_type_outside_the_list_fails_and_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "model.skops"
    with pytest.raises(ModelFileError, match="numpy.cumsum"):
        dump_model(FunctionTransformer(func=np.cumsum), path, trusted=frozenset())
    assert list(tmp_path.iterdir()) == []


def test_a_listed_type_is_trusted_exactly(tmp_path: Path) -> None:
    path = tmp_path / "model.skops"
    dump_model(FunctionTransformer(func=np.cumsum), path, trusted=frozenset({"numpy.cumsum"}))
    assert load_model_file(path, trusted=frozenset({"numpy.cumsum"})).func is np.cumsum
    with pytest.raises(ModelFileError, match="does not trust"):
        load_model_file(path, trusted=frozenset({"numpy.cum"}))


@pytest.mark.parametrize("content", [b"", b"not a zip file", b"PK\x03\x04broken"])
def test_a_file_that_is_not_skops_is_one_clear_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "model.skops"
    path.write_bytes(content)
    with pytest.raises(ModelFileError, match="not a readable skops model file"):
        load_model_file(path, trusted=frozenset())


def test_a_missing_file_says_how_to_create_it(tmp_path: Path) -> None:
    with pytest.raises(ModelFileError, match="make train"):
        load_model_file(tmp_path / "model.skops", trusted=frozenset())
