"""The wheel carries the templates: installed in a fresh venv outside the checkout, it works."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.slow


def _run(*args: str, cwd: Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        list(args), cwd=cwd, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert result.returncode == 0, f"{args} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def test_wheel_installed_in_a_fresh_venv_generates_a_project(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    _run(
        sys.executable,
        "-m",
        "build",
        "--wheel",
        "--no-isolation",
        "--outdir",
        str(dist),
        ".",
        cwd=REPO_ROOT,
    )
    (wheel,) = dist.glob("portfolio-*.whl")

    env_dir = tmp_path / "fresh-venv"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    # The wheel's dependencies come from this environment, offline, through a path file: its
    # lines only extend sys.path, so this environment's editable install is not picked up.
    site = Path(
        _run(
            str(python),
            "-c",
            "import sysconfig; print(sysconfig.get_path('purelib'))",
            cwd=tmp_path,
        ).strip()
    )
    (site / "deps-from-test-env.pth").write_text(
        sysconfig.get_path("purelib") + "\n", encoding="utf-8"
    )
    _run(
        sys.executable,
        "-m",
        "pip",
        "--python",
        str(python),
        "install",
        "--no-deps",
        "--no-index",
        str(wheel),
        cwd=tmp_path,
    )

    work = tmp_path / "work"
    work.mkdir()
    env = {**os.environ, "PATH": f"{env_dir / 'bin'}{os.pathsep}{os.environ['PATH']}"}
    env.pop("PYTHONPATH", None)
    where = _run(
        str(python),
        "-c",
        "import portfolio.templates as t; print(t.templates_root())",
        cwd=work,
        env=env,
    )
    assert Path(where.strip()).is_relative_to(env_dir)
    _run(str(env_dir / "bin" / "portfolio"), "new", "recommender", "--no-input", cwd=work, env=env)
    project = work / "movie-recommender"
    answers = json.loads((project / ".portfolio.json").read_text(encoding="utf-8"))
    assert answers["template"] == "recommender"
    assert (project / ".git").is_dir()
    assert (project / "LICENSE").is_file()
