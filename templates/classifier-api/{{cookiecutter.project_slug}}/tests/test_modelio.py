import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from conftest import TrainedProject
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

from {{ cookiecutter.__package }}.modelio import (
    META_FILE,
    MODEL_FILE,
    TRUSTED_MODULES,
    ModelError,
    load_model,
    save_model,
)


def _copy(trained: TrainedProject, tmp_path: Path) -> Path:
    folder = tmp_path / "models"
    shutil.copytree(trained.config.paths.models, folder)
    return folder


def test_the_trusted_types_are_listed_and_all_from_known_libraries(
    trained: TrainedProject,
) -> None:
    meta = json.loads((trained.config.paths.models / META_FILE).read_text(encoding="utf-8"))
    assert meta["trusted_types"]
    assert all(t.startswith(TRUSTED_MODULES) for t in meta["trusted_types"])
    assert meta["version"].startswith(meta["model_name"])
    assert isinstance(load_model(trained.config.paths.models).pipeline, Pipeline)


def test_a_missing_model_says_to_train(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="run `make train`"):
        load_model(tmp_path)


def test_an_altered_model_file_is_refused(trained: TrainedProject, tmp_path: Path) -> None:
    folder = _copy(trained, tmp_path)
    with (folder / MODEL_FILE).open("ab") as file:
        file.write(b"\0")
    with pytest.raises(ModelError, match="different SHA-256.*make train"):
        load_model(folder)


def test_types_missing_from_the_metadata_are_refused(
    trained: TrainedProject, tmp_path: Path
) -> None:
    folder = _copy(trained, tmp_path)
    meta_path = folder / META_FILE
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    dropped = meta["trusted_types"].pop()
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(ModelError, match=f"types not listed in its metadata.*{dropped}"):
        load_model(folder)


def _halve(x: np.ndarray) -> np.ndarray:
    return x / 2


def test_a_model_with_foreign_code_is_never_saved(tmp_path: Path) -> None:
    pipeline = Pipeline([("custom", FunctionTransformer(_halve))]).fit(np.ones((3, 2)))
    with pytest.raises(ModelError, match="outside sklearn., numpy., scipy.*_halve"):
        save_model(pipeline, {"model_name": "custom"}, tmp_path)
    assert not (tmp_path / MODEL_FILE).exists()
