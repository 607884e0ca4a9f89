"""Property-based API tests: whatever a client sends, the answer is never a server error.

Schemathesis generates requests from the app's own OpenAPI schema, valid and invalid (wrong
types, missing and extra fields, odd strings and numbers); every answer must be below 500.
"""

from collections.abc import Iterator

import pytest
import schemathesis
from conftest import TrainedProject
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from {{ cookiecutter.__package }}.api import (
    create_app,
)

# Examples per operation: most for the single-record endpoint, which takes the most traffic.
OPERATIONS = {("/predict", "POST"): 30, ("/predict/batch", "POST"): 12, ("/model", "GET"): 5}


@pytest.fixture(scope="module")
def api_schema(trained: TrainedProject) -> Iterator[schemathesis.schemas.BaseSchema]:
    app = create_app(trained.config.paths.models)
    # Run the lifespan once so the model is loaded while schemathesis calls the app.
    with TestClient(app):
        yield schemathesis.openapi.from_asgi("/openapi.json", app)


def test_every_operation_is_covered(api_schema: schemathesis.schemas.BaseSchema) -> None:
    documented = {
        (path, method.upper())
        for path, item in api_schema.raw_schema["paths"].items()
        for method in item
    }
    assert documented == {*OPERATIONS, ("/health", "GET")}


@pytest.mark.parametrize(("path", "method"), list(OPERATIONS))
def test_no_input_causes_a_server_error(
    api_schema: schemathesis.schemas.BaseSchema, path: str, method: str
) -> None:
    strategy = api_schema[path][method].as_strategy()

    # 5xx includes 503: the model is loaded, so even "no model" would fail here.
    @settings(
        max_examples=OPERATIONS[path, method],
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def check(case: schemathesis.Case) -> None:
        case.call_and_validate(checks=[not_a_server_error])

    check()
