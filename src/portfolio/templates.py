"""Find the bundled templates, describe them, and resolve a name the user typed."""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass
from pathlib import Path

from portfolio.errors import TemplateError

#: Layers are folders whose names start with this; they are never offered as templates.
LAYER_PREFIX = "_"
DESCRIPTION_FILE = "template.toml"


@dataclass(frozen=True)
class TemplateInfo:
    """What ``portfolio list`` shows and what ``generate`` needs to compose a template."""

    name: str
    title: str
    pitch: str
    proves: str
    path: Path
    layers: tuple[Path, ...]
    topics: tuple[str, ...] = ()


def templates_root() -> Path:
    """Return the folder holding the templates, from an installed wheel or a source checkout.

    The wheel force-includes ``templates/`` as ``portfolio/templates``; a checkout (or an
    editable install) keeps it at the repository's top level, two levels above this package.
    """
    here = Path(__file__).resolve().parent
    for candidate in (here / "templates", here.parents[1] / "templates"):
        if (candidate / "_common").is_dir():
            return candidate
    raise TemplateError(
        "the bundled templates are missing from this installation",
        hint="reinstall portfolio (pip install --force-reinstall portfolio)",
    )


def template_names(root: Path | None = None) -> list[str]:
    """Return the names of the templates a user can choose, sorted."""
    root = root or templates_root()
    return sorted(
        p.name
        for p in root.iterdir()
        if p.is_dir() and not p.name.startswith(LAYER_PREFIX) and (p / DESCRIPTION_FILE).is_file()
    )


def describe(name: str, root: Path | None = None) -> TemplateInfo:
    """Read a template's description; raise ``TemplateError`` with a suggestion on a typo."""
    root = root or templates_root()
    names = template_names(root)
    if name not in names:
        raise TemplateError(
            f"unknown template {name!r}", hint=_suggestion(name, names), exit_code=2
        )
    path = root / name
    try:
        data = tomllib.loads((path / DESCRIPTION_FILE).read_text(encoding="utf-8"))
        layer_names = [str(layer) for layer in data.get("layers", ["_common"])]
        info = TemplateInfo(
            name=name,
            title=str(data["title"]),
            pitch=str(data["pitch"]),
            proves=str(data["proves"]),
            path=path,
            layers=tuple(root / layer for layer in layer_names),
            topics=tuple(str(topic) for topic in data.get("topics", [name])),
        )
    except (tomllib.TOMLDecodeError, KeyError, TypeError) as err:
        raise TemplateError(f"template {name!r} has a broken {DESCRIPTION_FILE}: {err}") from err
    missing = [layer.name for layer in info.layers if not layer.is_dir()]
    if missing:
        raise TemplateError(f"template {name!r} names missing layers: {', '.join(missing)}")
    return info


def all_templates(root: Path | None = None) -> list[TemplateInfo]:
    """Describe every template, in name order."""
    root = root or templates_root()
    return [describe(name, root) for name in template_names(root)]


def _suggestion(name: str, names: list[str]) -> str:
    prefixed = [n for n in names if name and n.startswith(name.lower())]
    close = prefixed[:1] or difflib.get_close_matches(name.lower(), names, n=1, cutoff=0.5)
    choices = ", ".join(names)
    if close:
        return f"did you mean {close[0]!r}? Templates: {choices}"
    return f"choose one of: {choices} (see `portfolio list`)"
