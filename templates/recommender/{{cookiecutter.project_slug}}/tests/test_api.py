"""The HTTP API answers known and unknown users, checks its input, never serves a bad model."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from scipy import sparse

from {{ cookiecutter.__package }}.api import BAD_CONFIG, NOT_READY, create_app
from {{ cookiecutter.__package }}.config import Config, load_config
from {{ cookiecutter.__package }}.models import build_model, save_model
from {{ cookiecutter.__package }}.tuning import served_models

from tests.conftest import PipelineRun
from tests.test_models import craft_model_file


@pytest.fixture(scope="module")
def client(pipeline_run: PipelineRun) -> TestClient:
    return TestClient(create_app(pipeline_run.config))


def test_a_known_user_gets_k_items(client: TestClient, pipeline_run: PipelineRun) -> None:
    user = pipeline_run.metrics["examples"]["user"]

    response = client.get(f"/users/{user}/recommendations", params={"k": 4})

    assert response.status_code == 200
    body = response.json()
    assert body["cold_start"] is False
    assert len(body["items"]) == 4
    assert all(item["title"] for item in body["items"])


def test_an_unknown_user_is_served_by_the_cold_start_model(client: TestClient) -> None:
    response = client.get("/users/stranger/recommendations", params={"seen": ["1", "2"]})

    assert response.status_code == 200
    body = response.json()
    assert body["cold_start"] is True
    assert "unknown" in body["note"]
    assert {"1", "2"}.isdisjoint(item["item_id"] for item in body["items"])


@pytest.mark.parametrize(
    "params",
    [{"k": 0}, {"k": 1000}, {"k": "NaN"}, {"k": "1e999"}, {"seen": ["not-an-item"]}],
)
def test_bad_requests_get_422(client: TestClient, params: dict[str, object]) -> None:
    response = client.get("/users/stranger/recommendations", params=params)

    assert response.status_code == 422


def test_health(client: TestClient) -> None:
    assert client.get("/health").json() == {"status": "ok"}


def test_the_documented_examples_are_ids_from_the_data(
    client: TestClient, pipeline_run: PipelineRun
) -> None:
    examples = pipeline_run.metrics["examples"]
    operation = client.get("/openapi.json").json()["paths"]["/users/{user_id}/recommendations"]
    parameters = {p["name"]: p for p in operation["get"]["parameters"]}

    assert parameters["user_id"]["schema"]["examples"][0] == examples["user"]
    assert parameters["seen"]["schema"]["examples"] == [examples["items"]]


@pytest.fixture
def served_copy(tmp_path: Path, pipeline_run: PipelineRun) -> Config:
    """A copy of the pipeline's folder, whose models a test may damage."""
    source = pipeline_run.config.root
    shutil.copytree(source, tmp_path, dirs_exist_ok=True)
    return load_config(tmp_path / "config.toml")


def _unhealthy(config: Config) -> tuple[int, str, int]:
    client = TestClient(create_app(config))
    health = client.get("/health")
    request = client.get("/users/1/recommendations")
    return health.status_code, health.json()["detail"], request.status_code


def _write_garbage(path: Path) -> None:
    path.write_bytes(b"not a zip file")


def _craft(path: Path) -> None:
    craft_model_file(path, path.with_name("ran"))


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (_write_garbage, "is not a readable skops model file"),
        (_craft, "types this project does not trust: numpy.testing._private.utils.runstring"),
        (Path.unlink, "no model file {served}.skops"),
    ],
)
def test_a_refused_or_damaged_model_starts_an_api_that_answers_503(
    served_copy: Config, damage: Callable[[Path], None], reason: str
) -> None:
    served = served_models(served_copy)[0]
    damage(served_copy.models_dir / f"{served}.skops")

    health, detail, request = _unhealthy(served_copy)

    assert (health, request) == (503, 503)
    assert reason.format(served=served) in detail
    assert str(served_copy.root) not in detail
    assert not (served_copy.models_dir / "ran").exists()


def test_a_model_trained_on_another_catalogue_is_refused(served_copy: Config) -> None:
    other = build_model("ease", seed=0, value=1.0)
    other.fit(sparse.csr_matrix((3, 7)), None)
    save_model(other, served_copy.models_dir / f"{served_models(served_copy)[0]}.skops")

    health, detail, _ = _unhealthy(served_copy)

    assert health == 503
    assert "trained on 7 items" in detail


def test_an_invalid_config_answers_503_and_the_log_names_the_key(
    served_copy: Config, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = served_copy.root / "config.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("seed = 3", "seed = 1.5"), encoding="utf-8")
    monkeypatch.chdir(served_copy.root)  # the server reads ./config.toml, as `make serve` does

    health = TestClient(create_app()).get("/health")

    assert (health.status_code, health.json()["detail"]) == (503, BAD_CONFIG)
    assert "seed = 1.5" in caplog.text


def test_missing_pipeline_output_answers_503_without_the_servers_paths(
    served_copy: Config,
) -> None:
    shutil.rmtree(served_copy.processed_dir)

    health, detail, request = _unhealthy(served_copy)

    assert (health, request, detail) == (503, 503, NOT_READY)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _first_answer(url: str, server: subprocess.Popen[str]) -> httpx.Response:
    """Poll ``url`` until the server answers; fail with its output if it exits instead."""
    deadline = time.monotonic() + 120  # a bound against hanging, not a performance target
    while time.monotonic() < deadline:
        if server.poll() is not None:
            output = server.stdout.read() if server.stdout else ""
            pytest.fail(f"the server exited with {server.returncode}:\n{output}")
        try:
            return httpx.get(url, timeout=5)
        except httpx.TransportError:
            time.sleep(0.2)
    pytest.fail(f"no answer from {url}")


def test_a_real_server_starts_with_a_damaged_model_and_reports_503(served_copy: Config) -> None:
    (served_copy.models_dir / f"{served_models(served_copy)[0]}.skops").write_bytes(b"not a zip")
    port = _free_port()
    source = Path(__file__).resolve().parents[1] / "src"
    command = [sys.executable, "-m", "uvicorn", "--factory", f"{create_app.__module__}:create_app"]
    with subprocess.Popen(  # noqa: S603 - this interpreter, this project's module
        [*command, "--host", "127.0.0.1", "--port", str(port)],
        cwd=served_copy.root,
        env={**os.environ, "PYTHONPATH": str(source)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    ) as server:
        try:
            health = _first_answer(f"http://127.0.0.1:{port}/health", server)
            request = httpx.get(f"http://127.0.0.1:{port}/users/1/recommendations", timeout=5)
        finally:
            server.terminate()
            server.wait(timeout=30)

    assert (health.status_code, request.status_code) == (503, 503)
    assert "is not a readable skops model file" in health.json()["detail"]
