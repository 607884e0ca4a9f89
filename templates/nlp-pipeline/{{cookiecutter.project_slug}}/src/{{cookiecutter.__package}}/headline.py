"""The first screen: at most three numbers in business terms, each with its interval.

``reports/metrics.json`` carries them as ``headline`` (the shape every template shares, read by
the README's "Results at a glance" block, the showcase page and the site): the model's saving
against the cheapest baseline, a paired difference worded by ``claims.compare``, then the
errors a reader would count, per 10,000 texts. With two classes those are the texts acted on by
mistake and the positive texts missed; with more, the texts given a wrong class and the dearest
kind of error.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from .business import PER
from .claims import Wording, compare
from .comparisons import difference_from_dict
from .costmatrix import CostMatrix, error_table
from .formats import AMOUNT, SIGNED, VALUE, capitalised, escape_braces, per_10k
from .uncertainty import bootstrap_mean

__all__ = ["HEADLINE_SCHEMA", "HERO_FIGURE", "headline", "hero_caption"]

HEADLINE_SCHEMA = 1
#: The hero figure, relative to the project root: the model's saving against each alternative.
HERO_FIGURE = "reports/figures/policy_savings.png"


def hero_caption(best: dict[str, Any], currency: str, items: str) -> str:
    """Return the hero figure's takeaway: the model against the cheapest baseline, in words.

    ``best`` is that baseline's row of ``compare_policies``; the wording follows its paired
    interval like every other comparison sentence.
    """
    phrase = escape_braces(best["phrase"])
    unit = f"{escape_braces(currency)} per 10,000 {escape_braces(items)}"
    difference = difference_from_dict(best["saving"])
    wording = Wording(
        ahead=f"The model saves {AMOUNT} {unit} against the cheapest baseline, {phrase}.",
        behind=f"{capitalised(phrase)}, the cheapest baseline, beats the model by {AMOUNT} {unit}.",
        unclear=f"Against the cheapest baseline, {phrase}, this test set cannot show a "
        f"difference: the model's saving is {SIGNED} {unit}.",
    )
    return compare(difference, wording, value=per_10k, units=f"test {items}")


def _rate_item(
    key: str,
    label: str,
    hits: npt.NDArray[np.bool_],
    sentence: str,
    items: str,
    *,
    resamples: int,
    seed: int,
) -> dict[str, Any]:
    """A count per 10,000 texts with its bootstrap interval; ``sentence`` has ``{value}``."""
    rate = bootstrap_mean(hits.astype(np.float64) * PER, n_resamples=resamples, seed=seed)
    quoted = f"{per_10k(rate.estimate)} [{per_10k(rate.low)}, {per_10k(rate.high)}]"
    return {
        "key": key,
        "label": label,
        **rate.to_dict(),
        "unit": f"per 10,000 {items}",
        "conclusive": None,
        "text": sentence.format(value=quoted),
    }


def headline(
    comparison: dict[str, Any],
    y: npt.NDArray[np.int64],
    predicted: npt.NDArray[np.int64],
    costs: CostMatrix,
    *,
    items: str,
    action: str,
    resamples: int,
    seed: int,
) -> dict[str, Any]:
    """Return the ``headline`` object of ``reports/metrics.json``.

    ``comparison`` is ``comparisons.compare_policies``'s result on the test set; ``predicted``
    the model's classes for ``y``.
    """
    rows = {row["policy"]: row for row in comparison["policies"]}
    best = rows[comparison["best_baseline"]]
    saving = best["saving"]
    first = {
        "key": "saving_vs_best_baseline",
        "label": f"Saving per 10,000 {items} against the cheapest baseline, {best['phrase']}",
        **{name: saving[name] for name in ("estimate", "low", "high", "confidence")},
        "unit": f"{costs.currency} per 10,000 {items}",
        "conclusive": saving["conclusive"],
        "text": best["sentence"],
    }
    options = {"resamples": resamples, "seed": seed}
    # The sentences are str.format templates: a class or noun with braces stays literal.
    words = escape_braces(items)
    if len(costs.classes) == 2:
        negative, positive = costs.classes
        neg, pos, act = escape_braces(negative), escape_braces(positive), escape_braces(action)
        rest = [
            _rate_item(
                "false_positives_per_10k",
                f"False positives per 10,000 {items}: {negative} {action} by mistake",
                (y == 0) & (predicted == 1),
                f"{VALUE} {neg} {words} in 10,000 are {act} by mistake.",
                items,
                **options,
            ),
            _rate_item(
                "false_negatives_per_10k",
                f"False negatives per 10,000 {items}: {positive} missed",
                (y == 1) & (predicted == 0),
                f"{VALUE} {pos} {words} in 10,000 are missed.",
                items,
                **options,
            ),
        ]
    else:
        rest = [
            _rate_item(
                "errors_per_10k",
                f"{items.capitalize()} given a wrong class, per 10,000 {items}",
                y != predicted,
                f"{VALUE} {words} in 10,000 are given a wrong class.",
                items,
                **options,
            )
        ]
        kinds = error_table(y, predicted, costs)
        if kinds:
            dearest = kinds[0]
            true, given = dearest["true"], dearest["predicted"]
            index = {name: code for code, name in enumerate(costs.classes)}
            rest.append(
                _rate_item(
                    "dearest_error_per_10k",
                    f"{true} {items} given {given} (the dearest error here), per 10,000 {items}",
                    (y == index[true]) & (predicted == index[given]),
                    f"{VALUE} {words} in 10,000 are {escape_braces(true)} {words} given "
                    f"{escape_braces(given)}, the error that costs most here "
                    f"({per_10k(dearest['cost_per_n'])} {escape_braces(costs.currency)} per "
                    f"10,000 {words}).",
                    items,
                    **options,
                )
            )
    return {
        "schema": HEADLINE_SCHEMA,
        "baseline": best["label"],
        "items": [first, *rest],
        "figure": HERO_FIGURE,
        "figure_caption": hero_caption(best, costs.currency, items),
    }
