import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import TrainedProject
from fastapi.testclient import TestClient
from httpx import Response
from test_modelfile import RUNSTRING, _crafted_model

from {{ cookiecutter.__package }}.api import (
    MAX_BATCH,
    MAX_RECORD_BYTES,
    PROJECT_FILE,
    create_app,
)
from {{ cookiecutter.__package }}.modelio import (
    META_FILE,
    MODEL_FILE,
    sha256,
)


@pytest.fixture(scope="module")
def client(trained: TrainedProject) -> Iterator[TestClient]:
    # Entering the client runs the lifespan: the model is loaded once, as in production.
    with TestClient(create_app(trained.config.paths.models)) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def record(trained: TrainedProject) -> dict:
    meta = json.loads((trained.config.paths.models / "model.json").read_text(encoding="utf-8"))
    return {f["name"]: f["example"] for f in meta["schema"]["features"]}


def test_health_and_model_describe_the_loaded_model(client: TestClient) -> None:
    assert client.get("/health").json() == {"status": "ok", "model_loaded": True}
    model = client.get("/model").json()
    assert model["version"].startswith(model["model_name"])
    assert 0 < model["threshold"] < 1
    assert model["trained_at"]
    assert model["metrics"]["validation"]["roc_auc"] > 0.5
    assert model["metrics"]["calibration"]["method"] in ("none", "sigmoid")
    assert [f["name"] for f in model["features"]][:2] == ["age", "sex"]


def test_the_title_is_the_projects_name_read_at_run_time(client: TestClient) -> None:
    project = json.loads(PROJECT_FILE.read_text(encoding="utf-8"))
    assert client.get("/openapi.json").json()["info"]["title"] == project["name"]


def test_one_record_gets_probability_decision_and_version(client: TestClient, record: dict) -> None:
    response = client.post("/predict", json=record)
    assert response.status_code == 200
    body = response.json()
    assert 0 <= body["probability"] <= 1
    assert body["decision"] == (body["probability"] >= body["threshold"])
    assert body["model_version"] == client.get("/model").json()["version"]


def test_a_batch_is_answered_in_order(client: TestClient, record: dict) -> None:
    other = record | {"bmi": record["bmi"] + 10, "sex": None}
    single = [client.post("/predict", json=r).json()["probability"] for r in (record, other)]
    response = client.post("/predict/batch", json={"records": [record, other]})
    assert response.status_code == 200
    assert [p["probability"] for p in response.json()["predictions"]] == pytest.approx(single)


@pytest.mark.parametrize(
    ("change", "field", "kind"),
    [
        ({"bmi": "heavy"}, "bmi", "float_type"),
        ({"sex": 1}, "sex", "literal_error"),
        ({"sex": "unseen"}, "sex", "literal_error"),
        ({"age": 1e300}, "age", "less_than_equal"),
        ({"age": -1}, "age", "greater_than_equal"),
        ({"colour": "red"}, "colour", "extra_forbidden"),
    ],
)
def test_an_invalid_field_is_a_422_naming_it(
    client: TestClient, record: dict, change: dict, field: str, kind: str
) -> None:
    response = client.post("/predict", json=record | change)
    assert response.status_code == 422
    errors = response.json()["detail"]
    assert [(e["loc"], e["type"]) for e in errors] == [(["body", field], kind)]


def test_an_unseen_category_is_refused_with_the_accepted_values(
    client: TestClient, record: dict
) -> None:
    (error,) = client.post("/predict", json=record | {"sex": "3"}).json()["detail"]
    assert "'group one' or 'group two'" in error["msg"]


def test_a_code_is_accepted_for_its_name(client: TestClient, record: dict) -> None:
    by_name = client.post("/predict", json=record | {"sex": "group two"}).json()
    by_code = client.post("/predict", json=record | {"sex": "2"}).json()
    assert by_code["probability"] == by_name["probability"]


def _strict_json(response: Response) -> Any:
    """Parse an answer as strict JSON: NaN or Infinity in it would be a broken answer."""

    def refuse(constant: str) -> None:
        raise AssertionError(f"the answer holds {constant}, which is not JSON")

    return json.loads(response.text, parse_constant=refuse)


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e999", "-1e999"])
@pytest.mark.parametrize("field", ["age", "sex", "colour"])
def test_a_non_finite_number_anywhere_is_a_422_that_echoes_nothing(
    client: TestClient, record: dict, number: str, field: str
) -> None:
    body = json.dumps(record | {field: "<number>"}).replace('"<number>"', number)
    response = client.post("/predict", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422
    (error,) = _strict_json(response)["detail"]
    assert (error["loc"], error["type"]) == (["body", field], "finite_number")
    assert "input" not in error


def test_a_non_finite_number_inside_a_batch_is_located(client: TestClient, record: dict) -> None:
    body = json.dumps({"records": [record, record | {"bmi": "<number>"}]})
    body = body.replace('"<number>"', "NaN")
    response = client.post(
        "/predict/batch", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert _strict_json(response)["detail"][0]["loc"] == ["body", "records", 1, "bmi"]


def test_malformed_json_is_still_a_422(client: TestClient) -> None:
    response = client.post("/predict", content=b"{", headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "json_invalid"


def test_a_missing_field_is_a_422_naming_it(client: TestClient, record: dict) -> None:
    incomplete = {k: v for k, v in record.items() if k != "bmi"}
    response = client.post("/predict", json=incomplete)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "bmi"]


def test_an_empty_or_oversized_batch_is_a_422(client: TestClient, record: dict) -> None:
    assert client.post("/predict/batch", json={"records": []}).status_code == 422
    response = client.post("/predict/batch", json={"records": [record] * (MAX_BATCH + 1)})
    assert response.status_code == 422


def test_an_oversized_body_is_refused_before_parsing(client: TestClient, record: dict) -> None:
    padding = {"sex": "x" * MAX_RECORD_BYTES}
    assert client.post("/predict", json=record | padding).status_code == 413


def test_a_body_longer_than_declared_is_refused_while_streaming(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        # No Content-Length: the limit must hold on the bytes actually received.
        for _ in range(MAX_RECORD_BYTES // 1024 + 2):
            yield b" " * 1024

    response = client.post(
        "/predict", content=chunks(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413


def test_without_a_model_every_model_endpoint_says_to_train(tmp_path: Path, record: dict) -> None:
    with TestClient(create_app(tmp_path / "models")) as client:
        for response in (
            client.get("/health"),
            client.get("/model"),
            client.post("/predict", json=record),
            client.post("/predict/batch", json={"records": [record]}),
        ):
            assert response.status_code == 503
            assert "run `make train`" in response.json()["detail"]


def test_without_start_up_the_api_answers_503(trained: TrainedProject, record: dict) -> None:
    client = TestClient(create_app(trained.config.paths.models))  # no `with`: no lifespan
    response = client.post("/predict", json=record)
    assert response.status_code == 503
    assert "did not run its start-up" in response.json()["detail"]


def test_a_mismatched_model_is_a_503(trained: TrainedProject, tmp_path: Path, record: dict) -> None:
    folder = tmp_path / "models"
    shutil.copytree(trained.config.paths.models, folder)
    (folder / MODEL_FILE).write_bytes(b"not a model")
    with TestClient(create_app(folder)) as client:
        response = client.post("/predict", json=record)
    assert response.status_code == 503
    assert "SHA-256" in response.json()["detail"]


def _replace_model(trained: TrainedProject, folder: Path, write: Any) -> None:
    """Copy the trained model folder, replace the model file, and make model.json match it."""
    shutil.copytree(trained.config.paths.models, folder)
    write(folder / MODEL_FILE)
    meta = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
    meta["sha256"] = sha256(folder / MODEL_FILE)
    (folder / META_FILE).write_text(json.dumps(meta), encoding="utf-8")


def _unavailable(folder: Path, record: dict) -> list[str]:
    """Start the API on ``folder``; check every model endpoint is a 503; return the details."""
    with TestClient(create_app(folder)) as client:
        responses = [
            client.get("/health"),
            client.get("/model"),
            client.post("/predict", json=record),
        ]
    assert [r.status_code for r in responses] == [503, 503, 503]
    details = [r.json()["detail"] for r in responses]
    for detail in details:
        assert str(folder) not in detail and "/" not in detail, detail
    return details


def test_a_file_that_is_not_a_model_still_lets_the_api_start(
    trained: TrainedProject, tmp_path: Path, record: dict
) -> None:
    folder = tmp_path / "models"
    _replace_model(trained, folder, lambda path: path.write_bytes(b"not a zip file"))
    details = _unavailable(folder, record)
    assert "not a readable skops model file" in details[0] and "make train" in details[0]


def test_a_crafted_model_file_is_refused_at_start_up_before_it_runs(
    trained: TrainedProject, tmp_path: Path, record: dict
) -> None:
    folder = tmp_path / "models"
    marker = tmp_path / "code-ran"
    _replace_model(trained, folder, lambda path: _crafted_model(path, marker))
    details = _unavailable(folder, record)
    assert RUNSTRING in details[0]
    assert not marker.exists()
