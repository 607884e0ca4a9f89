"""The data behind the threshold and cost explorer, and the numbers it must show at any setting.

The site lets a reader drag the decision threshold and change what each error costs, and
watch errors per 10,000 cases, the cost per period and the saving against the best no-model
policy move. The browser computes those from the test-set scores exported here;
``explorer_point`` computes the same numbers in Python, so a test can check the page against
the report at any setting.

Decision rule, as everywhere in this project: a case is flagged when ``score >= threshold``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from .business import PER

__all__ = ["MAX_CASES", "explorer_payload", "explorer_point"]

KIND = "binary-explorer"
# Enough cases for the curve to be smooth and the counts to match the report's test set on
# any realistic sample, while keeping the page a few hundred kilobytes.
MAX_CASES = 20_000
_SCORE_DIGITS = 6


def explorer_payload(
    y_true: Any,
    scores: Any,
    *,
    false_positive_cost: float,
    false_negative_cost: float,
    currency: str,
    cases_per_period: float,
    period: str,
    chosen_threshold: float,
    names: Mapping[str, str],
    baselines: Mapping[str, Any] | None = None,
    default_threshold: float = 0.5,
    seed: int = 0,
) -> dict[str, Any]:
    """Return the ``interactive`` part of ``reports/site-data.json`` for a binary decision.

    ``y_true`` holds 1 for the positive class; ``scores`` the model's test-set scores;
    ``names`` the words for ``positive``, ``negative`` and ``case`` (plural nouns). Beyond
    "act on everyone" and "act on no one", ``baselines`` maps a policy's name to its 0/1
    decisions on the same cases (a keyword rule, say), so the page can price it at any costs.
    Above ``MAX_CASES`` cases a seeded random sample is exported, and the payload says so.
    Scores are rounded to six decimals, which moves no case across a threshold of the
    explorer's 0.001 steps.
    """
    truth = np.asarray(y_true).astype(bool)
    score = np.round(np.asarray(scores, dtype=np.float64), _SCORE_DIGITS)
    if truth.shape != score.shape or truth.ndim != 1 or truth.size == 0:
        raise ValueError("y_true and scores must be one-dimensional, non-empty and aligned")
    decisions = {
        "act on everyone": np.ones(truth.size, dtype=bool),
        "act on no one": np.zeros(truth.size, dtype=bool),
        **{name: np.asarray(flags).astype(bool) for name, flags in (baselines or {}).items()},
    }
    rows = np.arange(truth.size)
    if truth.size > MAX_CASES:
        rows = np.sort(np.random.default_rng(seed).choice(truth.size, MAX_CASES, replace=False))
    kept = truth[rows]
    return {
        "kind": KIND,
        "scores": score[rows].tolist(),
        "labels": kept.astype(int).tolist(),
        "cases_in_test_set": int(truth.size),
        "sampled": bool(rows.size < truth.size),
        "costs": {
            "false_positive": float(false_positive_cost),
            "false_negative": float(false_negative_cost),
            "currency": currency,
        },
        "cases_per_period": float(cases_per_period),
        "period": period,
        "thresholds": {"chosen": float(chosen_threshold), "default": float(default_threshold)},
        "names": dict(names),
        "baselines": [
            {
                "name": name,
                "false_positives": int((flags[rows] & ~kept).sum()),
                "false_negatives": int((~flags[rows] & kept).sum()),
            }
            for name, flags in decisions.items()
        ],
    }


def explorer_point(
    payload: Mapping[str, Any],
    *,
    threshold: float,
    false_positive_cost: float | None = None,
    false_negative_cost: float | None = None,
    cases_per_period: float | None = None,
) -> dict[str, Any]:
    """Return what the explorer shows at these settings (defaults: the payload's own).

    Keys: ``false_positives_per_10k``, ``false_negatives_per_10k``, ``cost_per_period`` (the
    model's), ``best_baseline`` and ``best_baseline_cost``, and ``saving`` (best baseline's
    cost minus the model's: positive when the model is cheaper).
    """
    costs = payload["costs"]
    c_fp = float(costs["false_positive"] if false_positive_cost is None else false_positive_cost)
    c_fn = float(costs["false_negative"] if false_negative_cost is None else false_negative_cost)
    volume = float(payload["cases_per_period"] if cases_per_period is None else cases_per_period)
    score = np.asarray(payload["scores"], dtype=np.float64)
    truth = np.asarray(payload["labels"]).astype(bool)
    n = truth.size
    flagged = score >= threshold
    false_positives = int((flagged & ~truth).sum())
    false_negatives = int((~flagged & truth).sum())

    def per_period(fp: int, fn: int) -> float:
        return (fp * c_fp + fn * c_fn) / n * volume

    model_cost = per_period(false_positives, false_negatives)
    priced = [
        (per_period(b["false_positives"], b["false_negatives"]), b["name"])
        for b in payload["baselines"]
    ]
    best_cost, best_name = min(priced, key=lambda pair: pair[0])
    return {
        "false_positives_per_10k": false_positives / n * PER,
        "false_negatives_per_10k": false_negatives / n * PER,
        "cost_per_period": model_cost,
        "best_baseline": best_name,
        "best_baseline_cost": best_cost,
        "saving": best_cost - model_cost,
    }
