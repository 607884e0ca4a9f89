"""The questions a template asks, and turning defaults, ``--set`` values and replies into answers.

cookiecutter renders every value it is handed as Jinja, so ``x {{ 7*7 }}`` would become ``x 49``.
Here only the template's own defaults are rendered; a value the user gave is kept literally.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from portfolio.answers import answer_problem, check_known_keys, suggest_slug, validate_answer
from portfolio.errors import TemplateError

CONTEXT_FILE = "cookiecutter.json"
_MERGED_LISTS = ("_copy_without_render", "_extensions")


@dataclass(frozen=True)
class Question:
    """One answer a template needs: its key, the prompt text, and the allowed values if a choice."""

    key: str
    prompt: str
    default: str
    choices: tuple[str, ...] = ()


#: Asks the user one question; returns the reply. ``validate`` raises ``AnswerError`` on a bad one.
Ask = Callable[[Question, Callable[[str], str]], str]


def merge_contexts(layers: list[Path]) -> dict[str, Any]:
    """Merge the layers' ``cookiecutter.json`` files; later layers win, lists and prompts add up."""
    merged: dict[str, Any] = OrderedDict()
    for layer in layers:
        path = layer / CONTEXT_FILE
        if not path.is_file():
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8"), object_pairs_hook=OrderedDict)
        except ValueError as err:
            raise TemplateError(f"{path} is not valid JSON: {err}") from err
        for key, value in data.items():
            if key in _MERGED_LISTS:
                merged[key] = [
                    *merged.get(key, []),
                    *(v for v in value if v not in merged.get(key, [])),
                ]
            elif key == "__prompts__":
                merged[key] = {**merged.get(key, {}), **value}
            else:
                merged[key] = value
    return merged


def visible_keys(context: Mapping[str, Any]) -> list[str]:
    """Return the keys a user answers (cookiecutter's rule: no leading underscore), in order."""
    return [key for key in context if not key.startswith("_")]


def resolve_answers(
    context: Mapping[str, Any],
    *,
    given: Mapping[str, str],
    defaults: Mapping[str, str] | None = None,
    ask: Ask | None = None,
    on_answer: Callable[[str, str], None] | None = None,
) -> dict[str, Any]:
    """Return cookiecutter's full answer dict for ``context``.

    ``given`` (from ``--set``) is validated first, before any question, and used literally.
    ``defaults`` replaces a template default (e.g. the author from git config) and is rendered
    never. ``ask`` is called for the rest, or the rendered default is taken when it is None.
    ``on_answer`` sees each final answer, so callers can check e.g. the destination at once.
    Raises ``AnswerError`` on a bad or unknown answer and ``TemplateError`` on a broken default.
    """
    from cookiecutter.environment import StrictEnvironment
    from jinja2 import TemplateError as JinjaError

    keys = visible_keys(context)
    check_known_keys(given, keys)
    for key, value in given.items():
        validate_answer(key, value, _choices(context[key]))
        if on_answer:
            on_answer(key, value)

    env = StrictEnvironment(context={"cookiecutter": dict(context)})
    answers: dict[str, Any] = OrderedDict()
    prompts = context.get("__prompts__", {})

    def render(key: str, raw: Any) -> Any:
        try:
            return (
                env.from_string(raw).render(cookiecutter=answers) if isinstance(raw, str) else raw
            )
        except JinjaError as err:
            raise TemplateError(f"the default of {key!r} does not render: {err}") from err

    for key, raw in context.items():
        if key.startswith("__"):
            answers[key] = raw if key == "__prompts__" else render(key, raw)
            continue
        if key.startswith("_"):
            answers[key] = raw
            continue
        choices = _choices(raw)
        if key in given:
            answers[key] = given[key]
            continue
        default = (
            defaults[key]
            if defaults and key in defaults
            else (choices[0] if choices else str(render(key, raw)))
        )
        if key == "project_slug" and answer_problem(key, default) is not None:
            default = suggest_slug(default)  # a long or reserved name still offers a valid slug
        question = Question(key, str(prompts.get(key, key)), default, choices)

        def validate(value: str, key: str = key, choices: tuple[str, ...] = choices) -> str:
            validate_answer(key, value, choices)
            if on_answer:
                on_answer(key, value)
            return value

        answers[key] = ask(question, validate) if ask else validate(default)
    return dict(answers)


def _choices(raw: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in raw) if isinstance(raw, list) else ()
