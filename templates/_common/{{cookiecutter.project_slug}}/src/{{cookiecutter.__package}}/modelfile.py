"""Save and load models with skops, trusting exactly the types this project's code lists.

A model file is data that anyone with write access to ``models/`` can replace. skops refuses
the types it does not trust by default, but it constructs every type it is told to trust, and
a node can name any callable: ``numpy.testing._private.utils.runstring`` runs a string as code.
So the trusted list is an exact set of names written in the project's code and reviewed like
code: never a prefix such as ``sklearn.``, and never read from a file that sits beside the model
and could be replaced with it. Saving checks the same set, so a new type in a pipeline fails at
training time with the names to review, not later in production.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

__all__ = ["ModelFileError", "dump_model", "load_model_file", "types_needing_trust"]


class ModelFileError(RuntimeError):
    """The model file is missing, not a skops file, or names a type the project does not trust."""


def types_needing_trust(path: Path) -> set[str]:
    """Return the types in the skops file at ``path`` that skops does not trust by default.

    Raises:
        ModelFileError: the file is missing or is not a readable skops file.

    """
    import skops.io as sio

    if not path.is_file():
        raise ModelFileError(f"no model file {path.name}: run `make train` to create it")
    try:
        return set(sio.get_untrusted_types(file=path))
    except Exception as err:  # a foreign or damaged file fails in zipfile, json or skops itself
        raise ModelFileError(
            f"{path.name} is not a readable skops model file ({type(err).__name__}): "
            "run `make train` to replace it"
        ) from err


def _refuse_unexpected(found: Iterable[str], trusted: frozenset[str], what: str) -> None:
    unexpected = sorted(set(found) - trusted)
    if unexpected:
        raise ModelFileError(
            f"{what} holds types this project does not trust: {', '.join(unexpected)}; "
            "if your own code added them, review each and add it to the project's TRUSTED_TYPES"
        )


def dump_model(obj: Any, path: Path, *, trusted: frozenset[str]) -> None:
    """Write ``obj`` to ``path`` with skops, atomically, if every type it needs is in ``trusted``.

    The file is written beside ``path`` and renamed into place, so a crash never leaves half a
    model where the API would load it.

    Raises:
        ModelFileError: ``obj`` holds a type outside ``trusted``; nothing is written.

    """
    import skops.io as sio

    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(handle)
    staged = Path(temporary)
    try:
        sio.dump(obj, staged)
        _refuse_unexpected(types_needing_trust(staged), trusted, "the model to save")
        staged.replace(path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            staged.unlink()


def load_model_file(path: Path, *, trusted: frozenset[str]) -> Any:
    """Load the skops file at ``path``, refusing it if it names any type outside ``trusted``.

    Raises:
        ModelFileError: the file is missing, unreadable, names an untrusted type, or fails
            to load; nothing in it has run.

    """
    import skops.io as sio

    needed = types_needing_trust(path)
    _refuse_unexpected(needed, trusted, path.name)
    try:
        return sio.load(path, trusted=sorted(needed))
    except Exception as err:  # skops raises many types for a damaged file
        raise ModelFileError(
            f"cannot load {path.name} ({type(err).__name__}): run `make train` to replace it"
        ) from err
