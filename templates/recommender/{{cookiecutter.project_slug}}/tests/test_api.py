"""The HTTP API answers known and unknown users and validates its input."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from {{ cookiecutter.__package }}.api import create_app

from tests.conftest import PipelineRun


@pytest.fixture(scope="module")
def client(pipeline_run: PipelineRun) -> TestClient:
    return TestClient(create_app(pipeline_run.config))


def test_a_known_user_gets_k_items(client: TestClient) -> None:
    response = client.get("/users/1/recommendations", params={"k": 4})

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


@pytest.mark.parametrize("params", [{"k": 0}, {"k": 1000}, {"seen": ["not-an-item"]}])
def test_bad_requests_get_422(client: TestClient, params: dict[str, object]) -> None:
    response = client.get("/users/stranger/recommendations", params=params)

    assert response.status_code == 422


def test_health(client: TestClient) -> None:
    assert client.get("/health").json() == {"status": "ok"}
