"""The interactive part of the results site: what the page computes in the reader's browser.

Two classes get the threshold and cost explorer (``explorer``) with the error browser beside
it; more classes get the error browser with its confusion matrix. Both are built from the
test set the report's numbers come from, so the page at the report's settings shows the
report's numbers.
"""

from __future__ import annotations

from typing import Any

from .business import PER
from .costs import DEFAULT_THRESHOLD
from .errorbrowser import KIND as ERRORS_KIND
from .errorbrowser import error_browser_payload
from .evaluate import Evaluation
from .explorer import explorer_payload

__all__ = ["EXPLORER_PERIOD", "KEYWORD_RULE", "interactive_payload"]

# The report prices errors per 10,000 texts and knows no volume; the explorer starts at
# 10,000 texts a month, so its cost per month is the report's cost per 10,000 until the
# reader types their own volume.
EXPLORER_PERIOD = "month"
KEYWORD_RULE = "keyword rule"


def interactive_payload(evaluation: Evaluation, *, items: str, seed: int) -> dict[str, Any]:
    """Return the ``interactive`` object of ``reports/site-data.json``.

    ``items`` names the texts (plural); ``seed`` draws the explorer's sample of a large test
    set. Two classes: kind ``binary-explorer`` from the test set's scores of the positive
    class, the report's prices, its chosen threshold and the keyword rule's decisions,
    ``also`` the error browser under ``errors``. More: kind ``error-browser``.
    """
    metrics = evaluation.metrics
    model_row = next(row for row in metrics["comparison"]["policies"] if row["policy"] == "model")
    errors = error_browser_payload(evaluation, items=items, decision=model_row["phrase"])
    if not evaluation.binary:
        return {"kind": ERRORS_KIND, "errors": errors}
    prices = evaluation.costs.error_costs()
    negative, positive = evaluation.classes
    explorer = explorer_payload(
        evaluation.y_test == 1,
        evaluation.probabilities[:, 1],
        false_positive_cost=prices.false_positive,
        false_negative_cost=prices.false_negative,
        currency=evaluation.costs.currency,
        cases_per_period=PER,
        period=EXPLORER_PERIOD,
        chosen_threshold=metrics["model"]["decision"]["threshold"],
        default_threshold=DEFAULT_THRESHOLD,
        names={"positive": positive, "negative": negative, "case": items},
        baselines={KEYWORD_RULE: evaluation.predictions["keywords"]},
        seed=seed,
    )
    return {**explorer, "also": [ERRORS_KIND], "errors": errors}
