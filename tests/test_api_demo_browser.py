"""Each API's demo page at ``/``, in a real browser against the real server on loopback.

The form is built in the page from the API's own schema: its fields must be the request's,
prefilled with the schema's examples, and pressing the button must show exactly what the API
answers for those values, in words for the classifier (its positive and negative names).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.browser import chromium
from tests.conftest import run_in_project
from tests.serving import free_port, wait_until_healthy

pytestmark = pytest.mark.slow


def _stopped(server: subprocess.Popen[str]) -> str:
    """Stop a server that never became healthy and return what it wrote on stderr."""
    server.kill()
    return server.communicate()[1]


@contextmanager
def _api(project: Path) -> Iterator[str]:
    """Serve the project's API with uvicorn on a free loopback port; yield its base URL."""
    port = free_port()
    package = project.name.replace("-", "_")
    with subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", f"{package}.api:create_app"]
        + ["--host", "127.0.0.1", "--port", str(port)],
        cwd=project,
        env={"PYTHONPATH": str(project / "src"), "PATH": "/usr/bin:/bin"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    ) as server:
        base = f"http://127.0.0.1:{port}"
        try:
            with httpx.Client(base_url=base, timeout=5) as client:
                wait_until_healthy(client, server, seconds=60, why=lambda: _stopped(server))
            yield base
        finally:
            server.terminate()
            server.communicate(timeout=30)


@pytest.fixture(scope="module")
def trained(generated: Callable[[str], Path]) -> Callable[[str], Path]:
    done: dict[str, Path] = {}

    def get(template: str) -> Path:
        if template not in done:
            project = generated(template)
            run_in_project(project, "make", "all", f"PYTHON={sys.executable}")
            done[template] = project
        return done[template]

    return get


def _request_examples(schema: dict[str, Any]) -> dict[str, Any]:
    record = schema["components"]["schemas"]["Record"]["properties"]
    return {name: field["examples"][0] for name, field in record.items()}


def test_the_classifier_page_answers_the_schemas_example_in_words(
    trained: Callable[[str], Path],
) -> None:
    project = trained("classifier-api")
    with _api(project) as base, chromium() as browser:
        schema = httpx.get(f"{base}/openapi.json").json()
        examples = _request_examples(schema)
        expected = httpx.post(f"{base}/predict", json=examples).json()
        names = httpx.get(f"{base}/model").json()
        page = browser.new_page()
        page.goto(f"{base}/")
        page.wait_for_selector("#try-form button")
        for name, value in examples.items():
            assert page.input_value(f"#field-{name}") == str(value)
        page.click("#try-form button")
        decision = page.wait_for_selector("#decision")
        shown = float(page.get_attribute("#decision strong", "data-value") or "nan")
        assert shown == pytest.approx(expected["probability"], abs=1e-12)
        assert page.get_attribute("#decision", "data-decision") == str(expected["decision"]).lower()
        metadata = _model_metadata(project)
        word = metadata["positive_name"] if expected["decision"] else metadata["negative_name"]
        assert decision.inner_text().endswith(f"counts as one of the {word}.")
        assert f"{expected['threshold']:.3f}" in decision.inner_text()
        assert names["threshold"] == expected["threshold"]

        number = next(n for n, v in examples.items() if isinstance(v, int | float))
        page.fill(f"#field-{number}", "1e9")
        page.click("#try-form button")
        error = page.wait_for_selector("#answer-error")
        assert error.get_attribute("data-status") == "422"
        assert number in page.inner_text("#answer")
        page.close()


def _model_metadata(project: Path) -> dict[str, Any]:
    """What training saved beside the model: the names the page must phrase the answer in."""
    metadata: dict[str, Any] = json.loads((project / "models" / "model.json").read_text())
    return metadata


def test_the_recommender_page_lists_what_the_api_recommends(
    trained: Callable[[str], Path],
) -> None:
    project = trained("recommender")
    with _api(project) as base, chromium() as browser:
        schema = httpx.get(f"{base}/openapi.json").json()
        operation = schema["paths"]["/users/{user_id}/recommendations"]["get"]
        user = next(p for p in operation["parameters"] if p["name"] == "user_id")
        example = user["examples"][0] if "examples" in user else user["schema"]["examples"][0]
        expected = httpx.get(f"{base}/users/{example}/recommendations").json()
        page = browser.new_page()
        page.goto(f"{base}/")
        page.wait_for_selector("#try-form button")
        assert page.input_value("#field-user_id") == str(example)
        page.click("#try-form button")
        page.wait_for_selector("#answer-list")
        shown = page.eval_on_selector_all(
            "#answer-list td[data-key=item_id]", "cells => cells.map(c => c.textContent)"
        )
        assert shown == [item["item_id"] for item in expected["items"]]
        model = page.inner_text("#answer-fields dd[data-key=model]")
        assert model == expected["model"]
        page.close()
