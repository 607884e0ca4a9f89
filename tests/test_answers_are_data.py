"""Property: whatever a user types, it comes out literally and every generated file still parses."""

from __future__ import annotations

import json
import tempfile
import tomllib
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portfolio.template_filters import as_markdown
from tests.conftest import TEMPLATES, generate

#: Text with the characters that break naive templating: Jinja syntax, quotes, escapes,
#: newlines, emoji, right-to-left text, controls and YAML's own line breaks.
NASTY = st.sampled_from(
    ["{{ x }}", "{{ 7*7 }}", "{% raw %}", "{% endraw %}", "{#", '"', "'", "'''", '"""', "\\",
     "\\n", "\n", "\r\n", "\t", "🚀", "مرحبا", "\u202e", "\x85", "\u2028", "${{ x }}",
     "#", ":", "- ", "[", "}", "`"]
)  # fmt: skip
ALLOWED = st.characters(exclude_categories=["Cs", "Cc"]) | st.sampled_from("\n\t\r")
TEXT = st.lists(st.one_of(NASTY, st.text(ALLOWED, max_size=8)), max_size=8).map("".join)
LINE = TEXT.map(lambda s: "".join(c for c in s if ord(c) >= 0x20 and ord(c) != 0x7F)).filter(
    lambda s: s.strip() != ""
)
ANSWERS = st.fixed_dictionaries(
    {
        "project_name": LINE,
        "description": TEXT,
        "author_name": LINE,
        "license": st.sampled_from(["MIT", "Apache-2.0", "BSD-3-Clause"]),
        "python_version": st.sampled_from(["3.11", "3.12", "3.13"]),
    }
)


def _check_every_file_parses(project: Path) -> None:
    for path in project.rglob("*"):
        if not path.is_file() or ".git" in path.parts:
            continue
        text = (
            path.read_text(encoding="utf-8")
            if path.suffix in {".py", ".toml", ".yml", ".yaml", ".json"}
            else None
        )
        if path.suffix == ".py":
            compile(text or "", str(path), "exec")
        elif path.suffix == ".toml":
            tomllib.loads(text or "")
        elif path.suffix in {".yml", ".yaml"}:
            list(yaml.safe_load_all(text or ""))
        elif path.suffix == ".json":
            json.loads(text or "")


@pytest.mark.slow
@pytest.mark.parametrize("template", TEMPLATES)
@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(answers=ANSWERS)
def test_answers_come_out_literally_and_files_parse(template: str, answers: dict[str, str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        project = generate(
            template, Path(tmp), init_git=False, project_slug="prop-project", **answers
        ).path
        _check_every_file_parses(project)
        pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
        assert pyproject["project"]["description"] == answers["description"]
        assert pyproject["project"]["authors"][0]["name"] == answers["author_name"]
        recorded = json.loads((project / ".portfolio.json").read_text(encoding="utf-8"))
        assert recorded["answers"]["description"] == answers["description"]
        readme = (project / "README.md").read_text(encoding="utf-8")
        # The title is the name as typed or, through `as_markdown` on one line, escaped so
        # that it renders as typed.
        escaped = as_markdown(answers["project_name"]).replace("\n", " ")
        assert answers["project_name"] in readme or f"# {escaped}\n" in readme
