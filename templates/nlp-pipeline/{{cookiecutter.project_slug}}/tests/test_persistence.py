"""The model file is data: only the exact types this project lists are ever constructed."""

import dataclasses
import itertools
import json
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import skops.io as sio
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.pipeline import Pipeline

from {{ cookiecutter.__package }} import persistence
from {{ cookiecutter.__package }}.calibrator import Calibrator
from {{ cookiecutter.__package }}.cli import main
from {{ cookiecutter.__package }}.config import Config
from {{ cookiecutter.__package }}.models import build_model
from {{ cookiecutter.__package }}.train import TrainResult

RUNSTRING = "numpy.testing._private.utils.runstring"
PACKAGE = persistence.__name__.rpartition(".")[0]


class Foreign(TransformerMixin, BaseEstimator):
    """A type no trusted list names: a pipeline holding it must not be saved or loaded."""

    def fit(self, x, y=None):
        return self

    def transform(self, x):
        return x


def _copy_model(trained: TrainResult, folder: Path) -> Path:
    persistence.save(trained.model, folder)
    return folder / persistence.MODEL_FILE


def _reduce_node(callable_name: str, argument: str, tmp_path: Path) -> dict[str, Any]:
    """Return a skops node that calls ``callable_name(argument, {})`` when it is loaded."""
    sio.dump((argument, {}), tmp_path / "args.skops")
    arguments = json.loads(zipfile.ZipFile(tmp_path / "args.skops").read("schema.json"))
    for key in ("protocol", "_skops_version"):  # only the root node of a file has these
        arguments.pop(key, None)
    module, name = callable_name.rsplit(".", 1)
    node = {
        "__class__": name,
        "__module__": module,
        "__loader__": "ConstructorFromReduceNode",
        "content": arguments,
    }
    return _fresh_ids(node, itertools.count(10**15))


def _fresh_ids(node: Any, ids: Iterator[int]) -> Any:
    """Give every node its own ``__id__``, so none aliases an object of the target file."""
    if isinstance(node, dict):
        if "__id__" in node:
            node["__id__"] = next(ids)
        for value in node.values():
            _fresh_ids(value, ids)
    elif isinstance(node, list):
        for value in node:
            _fresh_ids(value, ids)
    return node


def _plant(model: Path, node: dict[str, Any]) -> None:
    """Rewrite the saved pipeline so that its last step is ``node``, as an attacker would."""
    with zipfile.ZipFile(model) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    schema = json.loads(members["schema.json"])
    steps = schema["content"]["content"]["steps"]["content"]
    steps[-1]["content"][1] = node
    members["schema.json"] = json.dumps(schema).encode("utf-8")
    with zipfile.ZipFile(model, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def test_round_trip_gives_identical_scores(trained: TrainResult, tmp_path: Path) -> None:
    persistence.save(trained.model, tmp_path)
    loaded = persistence.load(tmp_path)
    texts = ["Free entry! Text WIN to 80086", "see you at the station"]
    np.testing.assert_array_equal(loaded.probabilities(texts), trained.model.probabilities(texts))
    assert loaded.threshold == trained.model.threshold
    assert loaded.classes == ("ham", "spam")
    np.testing.assert_array_equal(loaded.costs.matrix, trained.model.costs.matrix)


def test_trusted_types_are_exactly_what_this_projects_pipelines_hold(
    config: Config, trained: TrainResult, tmp_path: Path
) -> None:
    """Not a prefix, not a superset: each listed type is needed by one of the model kinds."""
    frame = trained.prepared.frame
    svm = config.model_copy(
        update={"model": config.model.model_copy(update={"kind": "linear_svm"})}
    )
    pipelines = {
        "logistic_regression": trained.model.pipeline,
        "linear_svm": build_model(svm, C=20.0).fit(frame["text"].tolist(), frame["y"].to_numpy()),
    }
    needed = {f"{PACKAGE}.models.SentenceEmbedder"}  # the optional embeddings kind
    for kind, pipeline in pipelines.items():
        sio.dump(pipeline, tmp_path / f"{kind}.skops")
        needed |= set(sio.get_untrusted_types(file=tmp_path / f"{kind}.skops"))
    assert needed == persistence.TRUSTED_TYPES


def test_a_pipeline_with_a_foreign_type_is_not_saved(trained: TrainResult, tmp_path: Path) -> None:
    foreign = persistence.TrainedModel(
        pipeline=Pipeline([("foreign", Foreign()), ("model", trained.model.pipeline)]),
        classes=trained.model.classes,
        costs=trained.model.costs,
        threshold=0.5,
    )
    with pytest.raises(persistence.ModelLoadError, match="Foreign"):
        persistence.save(foreign, tmp_path)
    assert not (tmp_path / persistence.MODEL_FILE).exists()


@pytest.mark.parametrize("callable_name", [RUNSTRING, "builtins.exec", f"{PACKAGE}.download.fetch"])
def test_a_crafted_model_file_is_refused_before_anything_runs(
    trained: TrainResult, tmp_path: Path, callable_name: str
) -> None:
    marker = tmp_path / "code-ran"
    folder = tmp_path / "models"
    model = _copy_model(trained, folder)
    _plant(model, _reduce_node(callable_name, f"open({str(marker)!r}, 'w')", tmp_path))
    assert callable_name in sio.get_untrusted_types(file=model)
    with pytest.raises(persistence.ModelLoadError, match=f"does not trust: {callable_name}"):
        persistence.load(folder)
    assert not marker.exists()


def test_the_crafted_file_would_run_code_if_it_were_trusted(
    trained: TrainResult, tmp_path: Path
) -> None:
    """Proof that the file above is a real attack, so refusing it is what protects the project."""
    marker = tmp_path / "code-ran"
    model = _copy_model(trained, tmp_path / "models")
    _plant(model, _reduce_node(RUNSTRING, f"open({str(marker)!r}, 'w').close()", tmp_path))
    sio.load(model, trusted=sio.get_untrusted_types(file=model))
    assert marker.exists()


@pytest.mark.parametrize("content", [b"", b"not a zip file", b"PK\x03\x04broken"])
def test_a_damaged_model_file_is_one_clear_error(
    trained: TrainResult, tmp_path: Path, content: bytes
) -> None:
    folder = tmp_path / "models"
    _copy_model(trained, folder).write_bytes(content)
    with pytest.raises(persistence.ModelLoadError, match="not a readable skops model file"):
        persistence.load(folder)


def test_the_cli_reports_a_damaged_model_in_one_line(
    sample_config: Config, trained: TrainResult, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = tmp_path / "project"
    shutil.copytree(sample_config.root, project, ignore=shutil.ignore_patterns("reports"))
    (project / "models" / persistence.MODEL_FILE).write_bytes(b"not a zip file")
    assert main(["--config", str(project / "config.toml"), "evaluate"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "not a readable skops model file" in err
    assert len(err.strip().splitlines()) == 1


def test_the_recalibration_is_saved_with_the_model(trained: TrainResult, tmp_path: Path) -> None:
    calibrated = dataclasses.replace(trained.model, calibrator=Calibrator(2.0, (0.0, 1.5)))
    persistence.save(calibrated, tmp_path)
    loaded = persistence.load(tmp_path)
    assert loaded.calibrator == Calibrator(2.0, (0.0, 1.5))
    texts = ["Free entry! Text WIN to 80086", "see you at the station"]
    np.testing.assert_allclose(loaded.probabilities(texts), calibrated.probabilities(texts))
    raw = loaded.raw_probabilities(texts)
    assert not np.allclose(loaded.probabilities(texts), raw)


@pytest.mark.parametrize(
    "calibration",
    [{"slope": -1.0, "bias": [0.0, 0.0]}, {"slope": 1.0, "bias": [0.0]}, {"slope": "x"}],
)
def test_a_calibration_that_does_not_fit_is_one_clear_error(
    trained: TrainResult, tmp_path: Path, calibration: dict[str, Any]
) -> None:
    persistence.save(trained.model, tmp_path)
    meta = json.loads((tmp_path / persistence.META_FILE).read_text(encoding="utf-8"))
    meta["calibration"] = calibration
    (tmp_path / persistence.META_FILE).write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(persistence.ModelLoadError, match="not this project's model metadata"):
        persistence.load(tmp_path)


def test_damaged_metadata_is_one_clear_error(trained: TrainResult, tmp_path: Path) -> None:
    persistence.save(trained.model, tmp_path)
    (tmp_path / persistence.META_FILE).write_text('{"classes": ["a"]}', encoding="utf-8")
    with pytest.raises(persistence.ModelLoadError, match="not this project's model metadata"):
        persistence.load(tmp_path)


def test_missing_model_says_to_train(tmp_path: Path) -> None:
    with pytest.raises(persistence.ModelLoadError, match="make train"):
        persistence.load(tmp_path)
