"""Every comparison the report states, paired over the same resampled test texts.

Two policies judged on the same test set share its luck: a hard set is hard for both, and
they can only differ on the texts where they decide differently. So each comparison here
resamples the test texts once per bootstrap round and recomputes both sides on that same
resample (``uncertainty.paired_means`` for per-text costs, ``paired_metric`` for F1), and the
sentence that states it comes from ``claims.compare``: one side "saves" or is "ahead" only when
the whole paired interval says so; otherwise the sentence says the test set cannot show it.

The model is compared with every baseline (the keyword rule, the policies that need no model)
and with its own default decision (threshold 0.5, or the most probable class); "the best
baseline" is the cheapest on the test set, which favours the baseline, never the model. With
two classes the threshold's stability on the validation set and its sensitivity to the price
ratio are measured too. Everything is plain data in, JSON-ready dicts out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from .business import PER
from .claims import Wording, compare
from .costmatrix import CostMatrix
from .costs import ErrorCosts, best_threshold, cost_curve
from .formats import AMOUNT, SETTLE, SIGNED, capitalised, escape_braces, metric, per_10k
from .metrics import f1_of
from .uncertainty import Difference, paired_means, paired_metric

__all__ = [
    "COST_RATIO_FACTORS",
    "Policy",
    "Words",
    "case_costs",
    "class_comparison",
    "compare_policies",
    "cost_sensitivity",
    "difference_from_dict",
    "threshold_stability",
]

#: The price ratio's sensitivity: a false positive at half and at twice its configured price.
COST_RATIO_FACTORS = (0.5, 2.0)


@dataclass(frozen=True)
class Words:
    """The domain's words for sentences: the currency and what one text is called."""

    currency: str
    item: str
    items: str

    def settle_units(self) -> str:
        """What a test set is counted in, for "about N test messages would settle it"."""
        return f"test {self.items}"


@dataclass(frozen=True, eq=False)
class Policy:
    """One way of deciding, with its class for every test text.

    ``label`` names it in a table, ``phrase`` inside a sentence ("the keyword rule"; for the
    model, its decision rule: "the chosen threshold 0.411"); ``baseline`` marks the policies
    the model must beat (its own default decision is not one).
    """

    key: str
    label: str
    phrase: str
    decision: str
    predicted: npt.NDArray[np.int64]
    baseline: bool


def difference_from_dict(data: dict[str, Any]) -> Difference:
    """Rebuild a paired ``Difference`` from the JSON its ``to_dict`` wrote, to word it again."""
    return Difference(
        float(data["estimate"]),
        float(data["low"]),
        float(data["high"]),
        float(data["confidence"]),
        n=int(data["n"]),
        share_at_or_below_zero=float(data["share_at_or_below_zero"]),
    )


def case_costs(
    costs: CostMatrix, y: npt.ArrayLike, predicted: npt.ArrayLike
) -> npt.NDArray[np.float64]:
    """Return what the decision on each text costs: ``C[true, given]``, 0 when right."""
    return np.asarray(costs.matrix[np.asarray(y), np.asarray(predicted)], dtype=np.float64)


def _saving_wording(policy: Policy, model: Policy, words: Words) -> Wording:
    """The sentences for the model's saving per 10,000 texts against ``policy``.

    Against the model's own default decision the subject is the model's decision rule ("the
    chosen threshold 0.411"); against a baseline it is the model.
    """
    unit = f"{escape_braces(words.currency)} per 10,000 {escape_braces(words.items)}"
    phrase = escape_braces(policy.phrase)
    if not policy.baseline:
        rule = escape_braces(model.phrase)
        return Wording(
            ahead=f"{capitalised(rule)} saves {AMOUNT} {unit} against {phrase}.",
            behind=f"{capitalised(phrase)} costs {AMOUNT} {unit} less than {rule}.",
            unclear=(
                f"This test set cannot show that {rule} costs less than {phrase}: the saving "
                f"is {SIGNED} {unit}; {SETTLE}."
            ),
        )
    return Wording(
        ahead=f"The model saves {AMOUNT} {unit} against {phrase}.",
        behind=(
            f"{capitalised(phrase)} costs {AMOUNT} {unit} less than the model: it "
            "beats the model on this test set."
        ),
        unclear=(
            f"This test set cannot show whether the model costs less than {phrase}: the "
            f"model's saving is {SIGNED} {unit}; {SETTLE}."
        ),
    )


def _errors(y: npt.NDArray[np.int64], predicted: npt.NDArray[np.int64], k: int) -> dict[str, float]:
    def rate(mask: npt.NDArray[np.bool_]) -> float:
        return float(np.count_nonzero(mask) / y.size * PER)

    row = {"errors_per_10k": rate(y != predicted)}
    if k == 2:
        row["false_positives_per_10k"] = rate((y == 0) & (predicted == 1))
        row["false_negatives_per_10k"] = rate((y == 1) & (predicted == 0))
    return row


def compare_policies(
    y: npt.NDArray[np.int64],
    policies: Sequence[Policy],
    costs: CostMatrix,
    words: Words,
    *,
    resamples: int,
    seed: int,
) -> dict[str, Any]:
    """Compare the first policy (the model) with each of the others on cost per 10,000 texts.

    Returns ``{"policies": [...], "best_baseline": key}``. Each policy's row has its
    ``label``, ``phrase``, ``decision``, errors and ``cost_per_10k``; each row but the model's
    also ``saving`` (the paired difference: that policy's cost minus the model's, per 10,000
    texts, so positive means the model saves) and ``sentence``. ``best_baseline`` is the
    baseline cheapest on the test set.

    Raises:
        ValueError: ``policies`` does not start with the model or has no baseline.

    """
    model, others = policies[0], policies[1:]
    if model.key != "model" or not any(p.baseline for p in others):
        raise ValueError("policies must start with the model and include a baseline")
    k = len(costs.classes)
    model_costs = case_costs(costs, y, model.predicted) * PER
    rows = []
    for policy in policies:
        own = case_costs(costs, y, policy.predicted) * PER
        row: dict[str, Any] = {
            "policy": policy.key,
            "label": policy.label,
            "phrase": policy.phrase,
            "decision": policy.decision,
            "baseline": policy.baseline,
            **_errors(y, policy.predicted, k),
            "cost_per_10k": float(own.mean()),
        }
        if policy is not model:
            saving = paired_means(own, model_costs, n_resamples=resamples, seed=seed).difference
            row["saving"] = saving.to_dict()
            row["sentence"] = compare(
                saving,
                _saving_wording(policy, model, words),
                value=per_10k,
                units=words.settle_units(),
            )
        rows.append(row)
    baselines = [row for row in rows if row["baseline"]]
    best = min(baselines, key=lambda row: row["cost_per_10k"])
    return {"policies": rows, "best_baseline": best["policy"]}


def class_comparison(
    y: npt.NDArray[np.int64],
    model: npt.NDArray[np.int64],
    other: Policy,
    classes: Sequence[str],
    *,
    resamples: int,
    seed: int,
) -> list[dict[str, Any]]:
    """Compare the model's F1 with ``other``'s for each class, paired on the same resamples.

    Each row: ``class``, ``difference`` (model minus other, with its interval; None when F1
    is undefined in too many resamples) and ``verdict`` written by ``claims.compare``.
    """
    k = len(classes)
    name = escape_braces(other.phrase)
    wording = Wording(
        ahead="model ahead by {value} {interval}",
        behind=f"{name} ahead by {AMOUNT}",
        unclear="cannot show which is ahead ({estimate} {interval})",
    )
    rows = []
    for code, cls in enumerate(classes):
        try:
            comparison = paired_metric(
                f1_of(code, k),
                (y, model),
                (y, other.predicted),
                n_resamples=resamples,
                seed=seed,
            )
        except ValueError:
            rows.append({"class": cls, "difference": None, "verdict": "too few texts to compare"})
            continue
        rows.append(
            {
                "class": cls,
                "model": comparison.first.estimate,
                "other": comparison.second.estimate,
                "difference": comparison.difference.to_dict(),
                "verdict": compare(comparison.difference, wording, value=metric),
            }
        )
    return rows


def threshold_stability(
    y_validation: npt.NDArray[np.int64],
    validation_scores: npt.NDArray[np.float64],
    y_test: npt.NDArray[np.int64],
    test_scores: npt.NDArray[np.float64],
    prices: ErrorCosts,
    *,
    resamples: int,
    seed: int,
    confidence: float = 0.95,
) -> dict[str, Any]:
    """Return how far the cheapest threshold moves over bootstrap resamples of validation.

    Each resample of the validation texts gets its own cheapest threshold; the central
    ``confidence`` share of those thresholds is their range, and ``test_cost_range`` the same
    share of what each of them would cost per 10,000 test texts. A narrow range means the
    validation set pins the threshold down; a wide one, that another sample would move it.
    """
    rng = np.random.default_rng(seed)
    n = y_validation.size
    chosen = np.empty(resamples)
    for i in range(resamples):
        rows = rng.integers(0, n, size=n)
        chosen[i] = best_threshold(y_validation[rows], validation_scores[rows], prices)
    curve = cost_curve(y_test, test_scores, prices, thresholds=chosen)
    order = np.searchsorted(curve.thresholds, chosen)
    test_costs = curve.costs[order] / curve.n * PER
    tail = (1 - confidence) / 2
    low, high = np.quantile(chosen, [tail, 1 - tail])
    cost_low, cost_high = np.quantile(test_costs, [tail, 1 - tail])
    return {
        "resamples": resamples,
        "confidence": confidence,
        "median": float(np.median(chosen)),
        "low": float(low),
        "high": float(high),
        "test_cost_low": float(cost_low),
        "test_cost_high": float(cost_high),
    }


def cost_sensitivity(
    y_validation: npt.NDArray[np.int64],
    validation_scores: npt.NDArray[np.float64],
    y_test: npt.NDArray[np.int64],
    test_scores: npt.NDArray[np.float64],
    prices: ErrorCosts,
    chosen: float,
) -> list[dict[str, Any]]:
    """Return what a false positive at half and twice its price would change.

    For each price (the configured one first): the threshold cheapest on validation at that
    price, and per 10,000 test texts at that price what it costs and what the configured
    threshold costs. Where the two costs are close, a wrong price estimate costs little.
    """
    rows = []
    for factor in (1.0, *COST_RATIO_FACTORS):
        changed = ErrorCosts(
            false_positive=prices.false_positive * factor, false_negative=prices.false_negative
        )
        best = best_threshold(y_validation, validation_scores, changed)
        curve = cost_curve(y_test, test_scores, changed, thresholds=[best, chosen])
        at = {
            t: float(c) / curve.n * PER for t, c in zip(curve.thresholds, curve.costs, strict=True)
        }
        rows.append(
            {
                "factor": factor,
                "false_positive": changed.false_positive,
                "false_negative": changed.false_negative,
                "threshold": best,
                "test_cost_per_10k": at[best],
                "configured_test_cost_per_10k": at[chosen],
                "label": (
                    "as configured"
                    if factor == 1.0
                    else f"a false positive at {'half' if factor < 1 else 'twice'} its price"
                ),
            }
        )
    return rows
