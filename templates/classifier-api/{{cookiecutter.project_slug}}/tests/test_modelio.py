import json
import shutil
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import skops.io as sio
from conftest import TrainedProject
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer
from test_modelfile import RUNSTRING, _crafted_model

from {{ cookiecutter.__package }}.data import (
    FeatureSchema,
    load_split,
    load_summary,
    prepare_features,
)
from {{ cookiecutter.__package }}.modelio import (
    META_FILE,
    MODEL_FILE,
    TRUSTED_TYPES,
    ModelError,
    load_model,
    save_model,
    sha256,
)
from {{ cookiecutter.__package }}.train import (
    candidates,
)


def _copy(trained: TrainedProject, tmp_path: Path) -> Path:
    folder = tmp_path / "models"
    shutil.copytree(trained.config.paths.models, folder)
    return folder


def _types_in(node: Any) -> set[str]:
    """Return every ``module.class`` a skops schema names, trusted by default or not."""
    found: set[str] = set()
    if isinstance(node, dict):
        if "__module__" in node and "__class__" in node:
            found.add(f"{node['__module__']}.{node['__class__']}")
        for value in node.values():
            found |= _types_in(value)
    elif isinstance(node, list):
        for value in node:
            found |= _types_in(value)
    return found


def test_the_trusted_types_are_exactly_what_the_candidates_hold(
    trained: TrainedProject, tmp_path: Path
) -> None:
    config = trained.config
    schema = FeatureSchema.from_dict(load_summary(config)["schema"])
    rows = load_split(config, "train")
    x, y = prepare_features(rows, schema), rows[config.target]
    needed: set[str] = set()
    present: set[str] = set()
    for name, pipeline in candidates(schema, 0, config.model.max_categories).items():
        path = tmp_path / f"{name}.skops"
        sio.dump(pipeline.fit(x, y), path)
        needed |= set(sio.get_untrusted_types(file=path))
        present |= _types_in(json.loads(zipfile.ZipFile(path).read("schema.json")))
    # Nothing missing (training would fail), and nothing trusted that no model holds. Which
    # of them this skops version trusts by default varies, so ``needed`` may be smaller.
    assert needed <= TRUSTED_TYPES <= present


def test_the_trained_model_loads_and_the_metadata_lists_no_trust(trained: TrainedProject) -> None:
    meta = json.loads((trained.config.paths.models / META_FILE).read_text(encoding="utf-8"))
    assert "trusted_types" not in meta
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


def test_a_crafted_model_file_with_a_matching_hash_is_refused_before_it_runs(
    trained: TrainedProject, tmp_path: Path
) -> None:
    folder = _copy(trained, tmp_path)
    marker = tmp_path / "code-ran"
    _crafted_model(folder / MODEL_FILE, marker)
    meta = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
    # Whoever can replace the model can rewrite the metadata beside it too.
    meta |= {"sha256": sha256(folder / MODEL_FILE), "trusted_types": [RUNSTRING]}
    (folder / META_FILE).write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(ModelError, match=f"does not trust: {RUNSTRING}"):
        load_model(folder)
    assert not marker.exists()


def _halve(x: np.ndarray) -> np.ndarray:
    return x / 2


def test_a_model_with_foreign_code_is_never_saved(tmp_path: Path) -> None:
    pipeline = Pipeline([("custom", FunctionTransformer(_halve))]).fit(np.ones((3, 2)))
    with pytest.raises(ModelError, match="does not trust: .*_halve.*TRUSTED_TYPES"):
        save_model(pipeline, {"model_name": "custom"}, tmp_path)
    assert list(tmp_path.iterdir()) == []
