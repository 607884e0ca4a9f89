"""Read the project's config file into strict pydantic models, with errors a user acts on at once.

pydantic checks every key and type, but its own message spans several lines per error with a
documentation link. A user who mistyped one key wants one line: the file, the key's dotted
path, the value they wrote, and what is accepted there (the allowed keys for an unknown key,
the choices for a value outside them). That translation is all this module adds; the models
themselves live in each project's ``config.py``.
"""

from __future__ import annotations

import tomllib
import types
import typing
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

__all__ = [
    "ConfigError",
    "ConfigPath",
    "StrictModel",
    "StrTuple",
    "describe_errors",
    "read_config_file",
    "validate_config",
]

ModelT = TypeVar("ModelT", bound=BaseModel)

#: A path as the config file writes it (a string); relative paths are resolved by the caller.
ConfigPath = Annotated[Path, Field(strict=False)]
#: A list of names in the file, kept as an immutable tuple.
StrTuple = Annotated[tuple[str, ...], Field(strict=False)]

_MAX_LISTED = 3


class ConfigError(ValueError):
    """The config file is missing, unreadable, or holds a bad key or value."""


class StrictModel(BaseModel):
    """Base of every config section: an unknown key is an error, and no type is coerced.

    ``strict`` keeps a config honest: ``"0.2"`` is not silently a number, ``true`` is not
    the integer 1, and ``10.5`` is not a count. Fields that must accept the file's own
    spelling (a path written as a string, a list for a tuple) say so with ``ConfigPath``
    and ``StrTuple``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


def read_config_file(path: Path) -> dict[str, Any]:
    """Return the mapping in a TOML (``.toml``) or YAML (``.yaml``/``.yml``) file.

    Raises:
        ConfigError: the file is missing, unreadable, not valid TOML/YAML, or not a mapping.

    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as err:
        raise ConfigError(f"config file {path} not found; pass --config PATH") from err
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"cannot read config file {path}: {err}") from err
    if path.suffix.lower() in {".yaml", ".yml"}:
        import yaml  # only the projects configured in YAML depend on PyYAML

        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as err:
            raise ConfigError(f"{path.name} is not valid YAML: {_one_line(str(err))}") from err
    else:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as err:
            raise ConfigError(f"{path.name} is not valid TOML: {err}") from err
    if not isinstance(data, dict):
        raise ConfigError(f"{path.name} must hold keys and values at the top level")
    return data


def validate_config(
    model: type[ModelT],
    data: Mapping[str, Any],
    *,
    source: str,
    context: dict[str, Any] | None = None,
) -> ModelT:
    """Return ``data`` validated as ``model``; ``source`` names the file in errors.

    Raises:
        ConfigError: one line naming each bad key's path, its value and what is accepted.

    """
    try:
        return model.model_validate(data, context=context)
    except ValidationError as err:
        raise ConfigError(f"{source}: {describe_errors(err, model)}") from None


def describe_errors(err: ValidationError, model: type[BaseModel]) -> str:
    """Turn pydantic's errors into one line: ``data.delimiter = 'x': choose one of ...``."""
    problems = [_describe(error, model) for error in err.errors(include_url=False)]
    shown = "; ".join(problems[:_MAX_LISTED])
    extra = len(problems) - _MAX_LISTED
    return shown + (f" (and {extra} more)" if extra > 0 else "")


def _describe(error: Mapping[str, Any], model: type[BaseModel]) -> str:
    loc = tuple(error.get("loc", ()))
    key = _dotted(loc) or "(top level)"
    kind = str(error.get("type", ""))
    value = error.get("input")
    ctx = error.get("ctx") or {}
    if kind == "extra_forbidden":
        allowed = _allowed_keys(model, loc[:-1])
        listing = f"; allowed keys: {', '.join(allowed)}" if allowed else ""
        return f"unknown key {key!r}{listing}"
    if kind == "missing":
        return f"{key} is required"
    if kind in {"literal_error", "enum"}:
        return f"{key} = {value!r}: choose one of {ctx.get('expected', '')}"
    message = str(error.get("msg", "invalid value"))
    for prefix in ("Value error, ", "Assertion failed, "):
        message = message.removeprefix(prefix)
    message = message[:1].lower() + message[1:]
    if isinstance(value, Mapping):
        return f"{key}: {message}"
    return f"{key} = {_shorten(value)}: {message}"


def _dotted(loc: Sequence[Any]) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def _allowed_keys(model: type[BaseModel], loc: Sequence[Any]) -> list[str]:
    """Return the field names of the model section at ``loc``, or [] if it cannot be found."""
    annotation: Any = model
    for part in loc:
        if isinstance(part, int):
            continue  # an item of a list: its model is found from the list's type below
        values = _mapping_values(annotation)
        if values is not None:  # ``part`` is a key the user chose, such as a column name
            annotation = values
            continue
        section = _model_in(annotation)
        if section is None or part not in section.model_fields:
            return []
        annotation = section.model_fields[part].annotation
    section = _model_in(annotation)
    return list(section.model_fields) if section is not None else []


def _mapping_values(annotation: Any) -> Any | None:
    """Return ``V`` for ``dict[K, V]`` (possibly inside ``Annotated`` or ``| None``), else None."""
    origin = typing.get_origin(annotation)
    if origin is dict:
        return typing.get_args(annotation)[1]
    if origin is typing.Annotated or isinstance(annotation, types.UnionType):
        for arg in typing.get_args(annotation):
            found = _mapping_values(arg)
            if found is not None:
                return found
    return None


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """Find the model inside ``X``, ``X | None``, ``list[X]`` or ``Annotated[X, ...]``."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) is dict:
        return None
    for arg in typing.get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _shorten(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _one_line(text: str) -> str:
    return " ".join(text.split())
