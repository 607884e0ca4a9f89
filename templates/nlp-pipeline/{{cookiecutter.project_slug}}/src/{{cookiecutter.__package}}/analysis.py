"""Where the model goes wrong: the pairs of classes it confuses, and the subgroups it serves worst.

A metric says how often; these say where and on what. The confused pairs come with the texts
the model was most sure about and still got wrong, which is where a reader finds label noise,
ambiguous classes and the patterns the features miss. The subgroups are properties of the text
itself (its length, a link, a number), so they exist in any corpus; a group too small to say
anything is marked, and a group is compared with the rest of the test set only through the
bootstrap interval of the gap itself.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from fairlearn.metrics import demographic_parity_difference, equalized_odds_difference

from .business import PER, per_n
from .claims import Wording, compare
from .comparisons import case_costs
from .costmatrix import CostMatrix, confusion
from .formats import AMOUNT, SETTLE, SIGNED, capitalised, escape_braces, per_10k
from .metrics import macro, micro_f1, precision_of, recall_of
from .subgroups import DEFAULT_MIN_GROUP_SIZE, demographic_parity, equalized_odds
from .uncertainty import bootstrap_metric, paired_metric

__all__ = ["FAIRNESS", "confused_pairs", "fairness_differences", "length_bins", "subgroup_metrics"]

_TEXT_LIMIT = 240


def _number(value: float) -> float | None:
    return None if np.isnan(value) else float(value)


def confused_pairs(
    frame: pd.DataFrame,
    y: npt.NDArray[np.int64],
    predicted: npt.NDArray[np.int64],
    probabilities: npt.NDArray[np.float64],
    classes: Sequence[str],
    *,
    pairs: int,
    examples: int,
) -> list[dict[str, Any]]:
    """Return the ``pairs`` most frequent confusions, each with its most confident mistakes.

    A confusion is a true class and the class given instead. Each entry: ``true``,
    ``predicted``, ``count``, ``share_of_true`` and ``examples`` (``origin``, ``text``,
    ``confidence``: the probability the model gave the wrong class), most confident first.
    """
    k = len(classes)
    counts = confusion(y, predicted, k)
    off = [(int(counts[i, j]), i, j) for i in range(k) for j in range(k) if i != j and counts[i, j]]
    off.sort(key=lambda item: (-item[0], item[1], item[2]))
    result = []
    for count, i, j in off[:pairs]:
        rows = np.flatnonzero((y == i) & (predicted == j))
        confidence = probabilities[rows, j]
        order = rows[np.argsort(-confidence, kind="stable")][:examples]
        result.append(
            {
                "true": classes[i],
                "predicted": classes[j],
                "count": count,
                "share_of_true": float(count / counts[i].sum()),
                "examples": [
                    {
                        "origin": str(frame["origin"].iloc[row]),
                        "text": str(frame["text"].iloc[row])[:_TEXT_LIMIT],
                        "confidence": float(probabilities[row, j]),
                    }
                    for row in order
                ],
            }
        )
    return result


def length_bins(lengths: npt.ArrayLike) -> list[tuple[float, float, str]]:
    """Return length ranges splitting ``lengths`` into thirds, named for a reader.

    The cut points are the 1/3 and 2/3 quantiles of the lengths given (the whole corpus, so
    the bins mean the same in every part); equal cut points merge, so there may be fewer.
    """
    values = np.asarray(lengths, dtype=np.float64)
    cuts = sorted({float(np.floor(q)) for q in np.quantile(values, [1 / 3, 2 / 3])})
    edges = [-np.inf, *cuts, np.inf]
    bins = []
    for low, high in zip(edges[:-1], edges[1:], strict=True):
        if np.isinf(low):
            name = f"up to {int(high):,} characters"
        elif np.isinf(high):
            name = f"over {int(low):,} characters"
        else:
            name = f"{int(low) + 1:,} to {int(high):,} characters"
        bins.append((low, high, name))
    return bins


_ATTRIBUTES = (("has_url", "link or e-mail address"), ("has_number", "number"))


def _masks(
    frame: pd.DataFrame, bins: Sequence[tuple[float, float, str]], items: str
) -> list[tuple[str, str, str, npt.NDArray[np.bool_]]]:
    """Return ``(attribute, group, phrase, mask)`` per subgroup; ``phrase`` names its texts."""
    length = frame["length"].to_numpy()
    masks = [
        ("length", name, f"{items} of {name}", (length > low) & (length <= high))
        for low, high, name in bins
    ]
    for column, attribute in _ATTRIBUTES:
        values = frame[column].to_numpy(dtype=bool)
        masks.append((attribute, "present", f"{items} with a {attribute}", values))
        masks.append((attribute, "absent", f"{items} without a {attribute}", ~values))
    return masks


#: fairlearn's two summaries of how unequally a two-class decision treats the groups of one
#: attribute: its point estimate, and the same definition fast enough to bootstrap.
FAIRNESS = {
    "demographic_parity": (demographic_parity_difference, demographic_parity),
    "equalized_odds": (equalized_odds_difference, equalized_odds),
}


def fairness_differences(
    frame: pd.DataFrame,
    y: npt.NDArray[np.int64],
    predicted: npt.NDArray[np.int64],
    bins: Sequence[tuple[float, float, str]],
    *,
    min_size: int,
    items: str,
    resamples: int,
    seed: int,
    per_class: int = DEFAULT_MIN_GROUP_SIZE,
) -> list[dict[str, Any]]:
    """Return, per attribute, fairlearn's demographic-parity and equalized-odds differences.

    Two classes only (1 is the positive class). A group takes part when it has ``min_size``
    texts or more, ``per_class`` of them positive and ``per_class`` negative (classifier-api's
    rule: a recall over four positives says nothing about the next four). Each
    difference is the largest gap between any two groups that take part: a size that is never
    below 0, so its bootstrap interval shows how large the gap could be, not whether there is
    one (the paired cost gaps of ``subgroup_metrics`` say that). ``note`` says why an
    attribute has no differences.
    """
    attributes: dict[str, list[tuple[str, npt.NDArray[np.bool_]]]] = {}
    for attribute, group, _phrase, mask in _masks(frame, bins, items):
        attributes.setdefault(attribute, []).append((group, mask))
    result = []
    for attribute, groups in attributes.items():
        kept = [
            (group, mask)
            for group, mask in groups
            if mask.sum() >= min_size and per_class <= y[mask].sum() <= mask.sum() - per_class
        ]
        entry: dict[str, Any] = {
            "attribute": attribute,
            "compared": [group for group, _ in kept],
            "differences": [],
            "note": None,
            "per_class": per_class,
        }
        if len(kept) < 2:
            entry["note"] = (
                f"fewer than two groups have {per_class:,} {items} of each class "
                f"and {min_size:,} in all"
            )
            result.append(entry)
            continue
        codes = np.full(y.size, -1, dtype=np.int64)
        for code, (_group, mask) in enumerate(kept):
            codes[mask] = code
        inside, count = codes >= 0, len(kept)
        truth, given, kept_codes = y[inside], predicted[inside], codes[inside]
        names = pd.Series([kept[code][0] for code in kept_codes])
        for name, (point, fast) in FAIRNESS.items():
            estimate = float(point(truth, given, sensitive_features=names))
            difference: dict[str, Any] = {"name": name, "estimate": estimate}
            try:
                interval = bootstrap_metric(
                    lambda t, g, c, fast=fast, count=count: fast(t, g, c, count),
                    truth,
                    given,
                    kept_codes,
                    n_resamples=resamples,
                    seed=seed,
                )
                difference |= {**interval.to_dict(), "estimate": estimate}
            except ValueError as err:
                difference |= {"low": None, "high": None, "why": str(err)}
            entry["differences"].append(difference)
        result.append(entry)
    return result


def _mean_cost_in(costs: npt.NDArray[np.float64], mask: npt.NDArray[np.bool_]) -> float:
    return float(costs[mask].mean() * PER) if mask.any() else math.nan


def _gap_wording(phrase: str, currency: str, items: str) -> Wording:
    subject = escape_braces(capitalised(phrase))
    unit = f"{escape_braces(currency)} per 10,000"
    others = f"the other {escape_braces(items)}"
    return Wording(
        ahead=f"{subject} cost {AMOUNT} {unit} more than {others}.",
        behind=f"{subject} cost {AMOUNT} {unit} less than {others}.",
        unclear=(
            f"This test set cannot show that {escape_braces(phrase)} cost more or less than "
            f"{others}: {SIGNED} {unit}; {SETTLE}."
        ),
    )


def subgroup_metrics(
    frame: pd.DataFrame,
    y: npt.NDArray[np.int64],
    predicted: npt.NDArray[np.int64],
    costs: CostMatrix,
    bins: Sequence[tuple[float, float, str]],
    *,
    min_size: int,
    items: str,
    resamples: int,
    seed: int,
) -> list[dict[str, Any]]:
    """Return, for each subgroup of the texts, how often and how expensively the model errs.

    Rates are per 10,000 texts of the subgroup, so groups of different sizes compare. Every
    row has ``count``, ``small`` (fewer than ``min_size`` texts: marked in the table, compared
    with nothing), ``accuracy``, ``macro_f1``, ``errors_per_10k`` and ``cost_per_10k``; with
    two classes also the positive class's ``positive_share``, ``precision``, ``recall``,
    ``false_positives_per_10k`` and ``false_negatives_per_10k``. Empty subgroups are skipped.

    ``gap`` compares the group's cost per 10,000 with that of the rest of the test set (the
    group's minus the rest's): both computed on each bootstrap resample of the whole test set,
    so the interval is that of the gap itself, never two intervals set side by side. It is None
    when the group or the rest has fewer than ``min_size`` texts. ``sentence`` states the gap
    (``claims.compare``); with two groups of one attribute only the first carries it, as the
    second's gap is the same comparison mirrored.
    """
    k = len(costs.classes)
    case_cost = case_costs(costs, y, predicted)
    rows = []
    stated: set[str] = set()
    for attribute, group, phrase, mask in _masks(frame, bins, items):
        n = int(mask.sum())
        if n == 0:
            continue
        truth, given = y[mask], predicted[mask]
        row: dict[str, Any] = {
            "attribute": attribute,
            "group": group,
            "count": n,
            "small": n < min_size,
            "accuracy": _number(micro_f1(truth, given)),
            "macro_f1": _number(macro("f1", k)(truth, given)),
            "errors_per_10k": per_n(int(np.count_nonzero(truth != given)), n),
            "cost_per_10k": per_n(costs.total(truth, given), n),
            "gap": None,
        }
        if k == 2:
            matrix = confusion(truth, given, 2)
            row |= {
                "positive_share": float(np.mean(truth == 1)),
                "precision": _number(precision_of(1, 2)(truth, given)),
                "recall": _number(recall_of(1, 2)(truth, given)),
                "false_positives_per_10k": per_n(int(matrix[0, 1]), n),
                "false_negatives_per_10k": per_n(int(matrix[1, 0]), n),
            }
        if n >= min_size and y.size - n >= min_size:
            try:
                gap = paired_metric(
                    _mean_cost_in,
                    (case_cost, mask),
                    (case_cost, ~mask),
                    n_resamples=resamples,
                    seed=seed,
                ).difference
            except ValueError:
                gap = None
            if gap is not None:
                row["gap"] = gap.to_dict()
                two_groups = attribute != "length"
                if not (two_groups and attribute in stated):
                    row["sentence"] = compare(
                        gap,
                        _gap_wording(phrase, costs.currency, items),
                        value=per_10k,
                        units=f"test {items}",
                    )
                    stated.add(attribute)
        rows.append(row)
    return rows
