"""The composed templates: valid for plain cookiecutter, fully rendered, shared files shared."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from portfolio.generate import compose_template
from portfolio.templates import describe, templates_root
from tests.conftest import AUTHOR, TEMPLATES, generate

SAME = {
    "project_name": "Same Name",
    "author_name": AUTHOR[0],
    "author_email": AUTHOR[1],
    "github_username": "octocat",
}
LEFTOVER_JINJA = re.compile(r"(?<!\$)\{\{|\{%|\{#")
IGNORED = {".portfolio.json"}


def _files(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(root).parts and p.name not in IGNORED
    }


@pytest.fixture(scope="module")
def projects(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return {
        t: generate(t, tmp_path_factory.mktemp(t), init_git=False, **SAME).path for t in TEMPLATES
    }


@pytest.mark.parametrize("template", TEMPLATES)
def test_plain_cookiecutter_renders_the_composed_template_identically(
    template: str, tmp_path: Path, projects: dict[str, Path]
) -> None:
    from cookiecutter.main import cookiecutter

    composed = compose_template(describe(template), tmp_path / "composed")
    config = tmp_path / "cookiecutter.yaml"
    config.write_text(
        f"cookiecutters_dir: {tmp_path / 'cc'}\nreplay_dir: {tmp_path / 'replay'}\n",
        encoding="utf-8",
    )
    rendered = cookiecutter(
        str(composed), no_input=True, extra_context=SAME, output_dir=str(tmp_path / "plain"),
        config_file=str(config),
    )  # fmt: skip
    assert _files(Path(rendered)) == _files(projects[template])


@pytest.mark.parametrize("template", TEMPLATES)
def test_no_template_syntax_survives_rendering(template: str, projects: dict[str, Path]) -> None:
    leftovers = [
        name
        for name, data in _files(projects[template]).items()
        if not name.endswith((".png", ".parquet")) and LEFTOVER_JINJA.search(data.decode("utf-8"))
    ]
    assert leftovers == []


def _layer_files(layer: str) -> list[str]:
    root = templates_root() / layer / "{{cookiecutter.project_slug}}"
    if not root.is_dir():
        return []
    return [
        p.relative_to(root).as_posix().replace("{{cookiecutter.__package}}", "same_name")
        for p in sorted(root.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    ]


@pytest.mark.parametrize(
    ("layer", "users"),
    [("_common", TEMPLATES), ("_binary", ("classifier-api", "nlp-pipeline"))],
)
def test_shared_layer_files_come_out_identical(
    layer: str, users: tuple[str, ...], projects: dict[str, Path]
) -> None:
    shared = _layer_files(layer)
    assert shared, f"{layer} is empty"
    overridden = {name for t in users for name in _layer_files(t) if name in shared}
    for name in shared:
        if name in overridden:
            continue
        contents = {t: (projects[t] / name).read_bytes() for t in users}
        assert len(set(contents.values())) == 1, f"{name} differs between {', '.join(users)}"
