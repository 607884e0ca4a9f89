"""The data behind the site's error browser: the test texts the model got wrong, and why.

A reader trusts a text classifier once they have seen its mistakes: which texts, which class
it gave instead, how sure it was, and what in the text pushed it there. This module exports
the surest mistakes of the test set with the features that drove each one, and the confusion
matrix, so the page can list the texts behind any cell.

"Drove" is exact for a linear model: the log-odds of the class given against the true class
is a sum over the features present, ``x_j * (w_given_j - w_true_j)``, plus the intercepts.
The features with the largest such terms are what moved the text across the line. A model
without per-feature weights (sentence embeddings) exports its mistakes with no features.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from .costmatrix import confusion
from .evaluate import Evaluation
from .models import feature_weights

__all__ = ["ERROR_LIMIT", "KIND", "TEXT_LIMIT", "driving_features", "error_browser_payload"]

KIND = "error-browser"
# The page lists at most this many mistakes; with the text limit below that bounds the
# exported texts to about 120 kB, whatever the size of the test set.
ERROR_LIMIT = 200
# Characters of each text shown: a whole short message or post, the start of an article.
TEXT_LIMIT = 600
_FEATURE_COUNT = 5
_WEIGHT_DIGITS = 4


def _feature(name: str) -> dict[str, str]:
    """Split a feature union's ``word__call me`` into what it is and what it reads."""
    kind, _, text = name.partition("__")
    return {"feature": text, "kind": kind} if text else {"feature": name, "kind": "word"}


def driving_features(
    model: Any,
    texts: Sequence[str],
    true: npt.ArrayLike,
    given: npt.ArrayLike,
    *,
    top: int = _FEATURE_COUNT,
) -> list[list[dict[str, Any]]] | None:
    """Return, per text, the ``top`` features that pushed it from its true class to the given one.

    ``true`` and ``given`` are class codes. Each feature: ``feature`` (the n-gram as the model
    reads it, after normalisation), ``kind`` (``word`` or ``char``) and ``weight``, its term
    in the log-odds of the given class against the true one (positive, largest first). None
    when the model has no per-feature weights.
    """
    found = feature_weights(model)
    if found is None:
        return None
    names, weights = found
    # Two classes: one row of weights towards class 1; as rows per class, class 0's are zero.
    # A class the training data lacked has no row: it gets zeros, the last row here.
    zeros = np.zeros_like(weights[0])
    rows = np.vstack([zeros, weights[0], zeros] if weights.shape[0] == 1 else [*weights, zeros])
    known = [int(code) for code in model.named_steps["classifier"].classes_]
    true_codes, given_codes = (
        [known.index(code) if code in known else len(known) for code in np.asarray(codes).tolist()]
        for codes in (true, given)
    )
    if not texts:
        return []
    matrix = model[:-1].transform(list(texts)).tocsr()
    result = []
    for i in range(matrix.shape[0]):
        start, end = matrix.indptr[i], matrix.indptr[i + 1]
        columns, values = matrix.indices[start:end], matrix.data[start:end]
        towards = rows[given_codes[i], columns] - rows[true_codes[i], columns]
        terms = values * towards
        order = np.argsort(-terms, kind="stable")[:top]
        result.append(
            [
                {
                    **_feature(str(names[columns[j]])),
                    "weight": round(float(terms[j]), _WEIGHT_DIGITS),
                }
                for j in order
                if terms[j] > 0
            ]
        )
    return result


def _shown(records: list[dict[str, Any]], limit: int) -> list[dict[str, Any]]:
    """Pick at most ``limit`` mistakes, each confusion's surest first, taking cells in turn.

    Taking the first of every cell, then the second of every cell, and so on, means every
    cell of the confusion matrix that has mistakes lists some of them, however lopsided the
    counts. Returned surest first, as ``records`` are.
    """
    rank: dict[tuple[str, str], int] = {}
    ranked = []
    for position, record in enumerate(records):
        cell = (record["true"], record["given"])
        rank[cell] = rank.get(cell, -1) + 1
        ranked.append((rank[cell], position))
    kept = sorted(position for _, position in sorted(ranked)[:limit])
    return [records[position] for position in kept]


def error_browser_payload(
    evaluation: Evaluation,
    *,
    items: str,
    decision: str,
    limit: int = ERROR_LIMIT,
) -> dict[str, Any]:
    """Return the ``errors`` object of the site's interactive part.

    ``items`` names the texts (plural); ``decision`` the rule the mistakes were made under
    (e.g. ``the chosen threshold 0.500``). Keys: ``classes``, ``items``, ``decision``,
    ``texts`` (test texts in all), ``mistakes`` (in all), ``confusion`` (rows: true class,
    columns: class given, in ``classes`` order), ``explained`` (whether features are given),
    ``limit`` and ``shown``: the mistakes listed, each with ``origin``, ``text`` (cut at
    ``TEXT_LIMIT`` characters, ``cut`` says so), ``true``, ``given``, ``score`` (the
    probability of the class given) and ``features``.
    """
    records = _shown(evaluation.misclassified(), limit)
    codes = {name: code for code, name in enumerate(evaluation.classes)}
    features = driving_features(
        evaluation.pipeline,
        [record["text"] for record in records],
        [codes[record["true"]] for record in records],
        [codes[record["given"]] for record in records],
    )
    given = evaluation.predictions["model"]
    counts = confusion(evaluation.y_test, given, len(evaluation.classes))
    return {
        "kind": KIND,
        "classes": list(evaluation.classes),
        "items": items,
        "decision": decision,
        "texts": int(evaluation.y_test.size),
        "mistakes": int(np.count_nonzero(given != evaluation.y_test)),
        "confusion": counts.tolist(),
        "explained": features is not None,
        "limit": limit,
        "shown": [
            {
                "origin": record["origin"],
                "text": record["text"][:TEXT_LIMIT],
                "cut": len(record["text"]) > TEXT_LIMIT,
                "true": record["true"],
                "given": record["given"],
                "score": record["score"],
                "features": [] if features is None else features[i],
            }
            for i, record in enumerate(records)
        ],
    }
