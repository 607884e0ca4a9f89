"""What a binary decision's errors cost, and the threshold that makes them cheapest.

A classifier's default threshold of 0.5 is right only when a false positive costs as much as
a false negative, which is almost never true. This module prices each kind of error, finds
the threshold with the lowest expected cost on validation data, and compares the model with
the two policies that need no model at all: act on everyone, or act on no one.

Decision rule everywhere in this module: a case is predicted positive when its score is at
or above the threshold (``score >= threshold``), as in scikit-learn's threshold tools.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from .business import PER, format_count, per_n
from .tables import markdown_table

__all__ = [
    "CostCurve",
    "Counts",
    "ErrorCosts",
    "best_threshold",
    "business_markdown",
    "business_table",
    "case_costs",
    "confusion_counts",
    "cost_curve",
    "expected_cost",
    "threshold_markdown",
]

DEFAULT_THRESHOLD = 0.5
# Costs closer than this (relative) are ties: sums of float costs that are equal on paper
# can differ in the last bits.
_TIE_RTOL = 1e-9


@dataclass(frozen=True)
class ErrorCosts:
    """The cost of one false positive and of one false negative, in one unit (e.g. EUR).

    Only the ratio matters for the threshold; the unit matters for the business table.
    """

    false_positive: float
    false_negative: float

    def __post_init__(self) -> None:
        """Reject costs that would make the threshold search meaningless."""
        for field in ("false_positive", "false_negative"):
            value = float(getattr(self, field))
            if not math.isfinite(value) or value < 0:
                raise ValueError(f"{field} cost must be a finite number >= 0, got {value!r}")
            # Store plain floats, so the costs serialise to JSON as numbers.
            object.__setattr__(self, field, value)
        if self.false_positive == 0 and self.false_negative == 0:
            raise ValueError(
                "at least one error must have a positive cost, otherwise every threshold "
                "is equally good"
            )


@dataclass(frozen=True)
class Counts:
    """The four cells of a binary confusion matrix."""

    tp: int
    fp: int
    tn: int
    fn: int

    @property
    def total(self) -> int:
        """The number of cases counted."""
        return self.tp + self.fp + self.tn + self.fn


@dataclass(frozen=True, eq=False)
class CostCurve:
    """Errors and total cost at each candidate threshold, in increasing threshold order.

    Arrays are read-only. ``costs[i]`` is the total cost of the errors made on the ``n``
    cases when predicting positive for ``score >= thresholds[i]``.
    """

    thresholds: npt.NDArray[np.float64]
    false_positives: npt.NDArray[np.int64]
    false_negatives: npt.NDArray[np.int64]
    costs: npt.NDArray[np.float64]
    n: int


def _binary_labels(y: Any, name: str) -> npt.NDArray[np.bool_]:
    array = np.asarray(y)
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {array.shape}")
    if array.dtype != np.bool_ and (
        array.dtype.kind not in "iuf" or not np.isin(array, (0, 1)).all()
    ):
        raise ValueError(
            f"{name} must hold only 0/1 or False/True (1 = the positive class); "
            "encode the labels before computing costs"
        )
    return np.asarray(array == 1, dtype=np.bool_)


def _aligned(
    y_true: Any, decisions: Any, name: str
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    truth = _binary_labels(y_true, "y_true")
    decided = _binary_labels(decisions, name)
    if truth.shape != decided.shape:
        raise ValueError(f"y_true has {truth.size} cases but {name} has {decided.size}")
    if truth.size == 0:
        raise ValueError("cannot count errors over zero cases")
    return truth, decided


def confusion_counts(y_true: Any, y_pred: Any) -> Counts:
    """Count true and false positives and negatives; the positive class is 1 (or True).

    Raises ``ValueError`` if the arrays differ in length, are empty, or hold values other
    than 0/1.
    """
    truth, predicted = _aligned(y_true, y_pred, "y_pred")
    return Counts(
        tp=int(np.count_nonzero(truth & predicted)),
        fp=int(np.count_nonzero(~truth & predicted)),
        tn=int(np.count_nonzero(~truth & ~predicted)),
        fn=int(np.count_nonzero(truth & ~predicted)),
    )


def expected_cost(counts: Counts, costs: ErrorCosts) -> float:
    """Return the total cost of the errors in ``counts``: ``fp * C_fp + fn * C_fn``.

    It is what the decisions would cost on ``counts.total`` cases like these; for a rate,
    divide by ``counts.total`` or use ``business.per_n(cost, counts.total)``. Correct
    decisions cost nothing: the costs are those of errors relative to a perfect oracle.
    """
    return counts.fp * costs.false_positive + counts.fn * costs.false_negative


def case_costs(y_true: Any, flagged: Any, costs: ErrorCosts) -> npt.NDArray[np.float64]:
    """Return what the decision on each case costs: ``C_fp``, ``C_fn`` or 0 for a correct one.

    This is the per-case view a paired comparison resamples: two policies' costs on the same
    cases, so the difference's interval reflects where they disagree (``uncertainty.
    paired_means``). The sum is ``expected_cost``; the mean times the cases a period handles
    is the cost per period. Raises ``ValueError`` as ``confusion_counts`` does.
    """
    truth, decision = _aligned(y_true, flagged, "flagged")
    return np.where(
        decision & ~truth,
        costs.false_positive,
        np.where(~decision & truth, costs.false_negative, 0.0),
    )


def _scores(y_true: Any, scores: Any) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.float64]]:
    truth = _binary_labels(y_true, "y_true")
    values = np.asarray(scores, dtype=np.float64)
    if values.shape != truth.shape:
        raise ValueError(f"y_true has {truth.size} cases but scores has {values.size}")
    if truth.size == 0:
        raise ValueError("cannot build a cost curve over zero cases")
    if not np.isfinite(values).all():
        raise ValueError("scores contain NaN or infinity")
    return truth, values


def _default_thresholds(scores: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    thresholds = np.unique(np.concatenate([scores, [0.0, 1.0]]))
    top = scores.max()
    if thresholds[-1] <= top:
        # A score of exactly 1 (or above) would be flagged even at threshold 1; add the
        # next float up so "act on no one" is always on the curve.
        thresholds = np.append(thresholds, np.nextafter(top, np.inf))
    return thresholds


def cost_curve(
    y_true: Any,
    scores: Any,
    costs: ErrorCosts,
    thresholds: Any = None,
) -> CostCurve:
    """Return errors and total cost at every threshold, computed for all at once.

    ``scores`` are the model's scores for the positive class, normally probabilities. By
    default the thresholds are the distinct scores plus 0 and 1 (and a value just above the
    top score if it is 1 or more), which covers every distinct decision the model can make,
    from acting on everyone to acting on no one. Counts come from binary searches in the
    sorted scores, so a curve over a million cases and thresholds costs milliseconds.

    Raises ``ValueError`` if labels are not 0/1, lengths differ, there are no cases, or
    scores or thresholds are not finite.
    """
    truth, values = _scores(y_true, scores)
    if thresholds is None:
        grid = _default_thresholds(values)
    else:
        grid = np.sort(np.asarray(thresholds, dtype=np.float64).ravel())
        if grid.size == 0 or not np.isfinite(grid).all():
            raise ValueError("thresholds must be a non-empty list of finite numbers")
    all_sorted = np.sort(values)
    positive_sorted = np.sort(values[truth])
    n_positive = positive_sorted.size
    # Number of cases with score >= t: everything from the first index not below t.
    flagged = values.size - np.searchsorted(all_sorted, grid, side="left")
    true_positives = n_positive - np.searchsorted(positive_sorted, grid, side="left")
    false_positives = (flagged - true_positives).astype(np.int64)
    false_negatives = (n_positive - true_positives).astype(np.int64)
    total = false_positives * costs.false_positive + false_negatives * costs.false_negative
    for array in (grid, false_positives, false_negatives, total):
        array.setflags(write=False)
    return CostCurve(
        thresholds=grid,
        false_positives=false_positives,
        false_negatives=false_negatives,
        costs=total,
        n=int(values.size),
    )


def best_threshold(y_true: Any, scores: Any, costs: ErrorCosts) -> float:
    """Return a threshold with the lowest expected cost on these (validation) cases.

    Every threshold between two neighbouring validation scores makes the same decisions, so
    the lowest cost is reached on whole intervals, not points. The choice within them:
    0.5, the conventional default, when it lies in one; otherwise the middle of the optimal
    interval nearest to 0.5. The middle, not the edge: on a validation set the model
    separates perfectly, the edge is the lowest positive score itself, a knife edge that the
    next unseen case falls on either side of. Between two equally near intervals the lower
    wins, so the result is reproducible and independent of the order of the cases. When
    acting on no one is cheapest, the result flags no validation case, even one scoring
    exactly 1 (it is then just above 1).

    Choose the threshold on validation data and report its cost on the test set: a threshold
    tuned on the test set flatters the model. Raises ``ValueError`` as ``cost_curve`` does.
    """
    curve = cost_curve(y_true, scores, costs)
    thresholds = curve.thresholds
    lowest = curve.costs.min()
    optimal = np.flatnonzero(curve.costs <= lowest + _TIE_RTOL * max(1.0, abs(lowest)))
    # Runs of consecutive optimal candidates form one interval (lower bound exclusive).
    runs = np.split(optimal, np.flatnonzero(np.diff(optimal) > 1) + 1)
    best, best_distance = DEFAULT_THRESHOLD, np.inf
    for run in runs:
        high = float(thresholds[run[-1]])
        low = float(thresholds[run[0] - 1]) if run[0] > 0 else -np.inf
        if low < DEFAULT_THRESHOLD <= high:
            return DEFAULT_THRESHOLD
        distance = DEFAULT_THRESHOLD - high if high < DEFAULT_THRESHOLD else low - DEFAULT_THRESHOLD
        choice = high if np.isinf(low) else (low + high) / 2
        if not choice > low:
            # Neighbouring floats (a top score of 1.0 and the next float up, the "act on no
            # one" candidate) have no float between them: their middle rounds down onto the
            # lower, flagging the very cases the interval excludes. Only its top is inside.
            choice = high
        if distance < best_distance:
            best, best_distance = choice, distance
    return best


def business_table(
    y_true: Any,
    y_pred: Any,
    costs: ErrorCosts,
    *,
    per: int = PER,
    positive_name: str,
    negative_name: str,
) -> list[dict[str, Any]]:
    """Compare the model's decisions with the two policies that need no model.

    Returns one row per policy, in the order model, act on everyone, act on no one. Each
    row is a JSON-ready dict:

    - ``policy``: ``"model"``, ``"act_on_everyone"`` or ``"act_on_no_one"``;
    - ``label``: the policy in words, using ``positive_name`` and ``negative_name``,
      plural nouns (e.g. ``"churners"`` and ``"loyal customers"``);
    - ``false_positives``, ``false_negatives``, ``expected_cost``: per ``per`` cases;
    - ``saving``: per ``per`` cases, the cost of the cheaper trivial policy minus this
      policy's cost (positive: this policy saves money; the model must beat 0 to be worth
      deploying);
    - ``per``: the number of cases the rates refer to; ``cases``: the cases evaluated.

    ``y_pred`` are the model's 0/1 decisions at its chosen threshold. Raises ``ValueError``
    as ``confusion_counts`` does, or if ``per`` is not positive.
    """
    model = confusion_counts(y_true, y_pred)
    positives, negatives = model.tp + model.fn, model.tn + model.fp
    everyone = Counts(tp=positives, fp=negatives, tn=0, fn=0)
    no_one = Counts(tp=0, fp=0, tn=negatives, fn=positives)
    policies = (
        ("model", "Model", model),
        ("act_on_everyone", f"Act on everyone (treat all as {positive_name})", everyone),
        ("act_on_no_one", f"Act on no one (treat all as {negative_name})", no_one),
    )
    n = model.total
    cost_of = {key: per_n(expected_cost(c, costs), n, per) for key, _, c in policies}
    best_trivial = min(cost_of["act_on_everyone"], cost_of["act_on_no_one"])
    return [
        {
            "policy": key,
            "label": label,
            "false_positives": per_n(counts.fp, n, per),
            "false_negatives": per_n(counts.fn, n, per),
            "expected_cost": cost_of[key],
            "saving": best_trivial - cost_of[key],
            "per": per,
            "cases": n,
        }
        for key, label, counts in policies
    ]


def business_markdown(rows: list[dict[str, Any]]) -> str:
    """Render ``business_table`` rows as a Markdown table for the README.

    Raises ``ValueError`` if ``rows`` is empty or mixes rates per different ``per`` values.
    """
    if not rows:
        raise ValueError("no rows to render: pass the result of business_table")
    pers = {row["per"] for row in rows}
    if len(pers) != 1:
        raise ValueError(f"rows mix rates per different numbers of cases: {sorted(pers)}")
    per = f"{pers.pop():,}"
    headers = [
        "Policy",
        f"False positives per {per}",
        f"False negatives per {per}",
        f"Expected cost per {per}",
        f"Saving per {per} vs best trivial policy",
    ]
    body = [
        [
            row["label"],
            format_count(row["false_positives"]),
            format_count(row["false_negatives"]),
            format_count(row["expected_cost"]),
            format_count(row["saving"]),
        ]
        for row in rows
    ]
    return markdown_table(headers, body, align=["left", "right", "right", "right", "right"])


def threshold_markdown(
    y_true: Any,
    scores: Any,
    costs: ErrorCosts,
    *,
    threshold: float,
    per: int = PER,
) -> str:
    """Compare the default threshold 0.5 with the chosen one, as a Markdown table.

    Meant for the ``threshold`` block of ``docs/decisions/0001-threshold-by-cost.md``: the
    costs, and per ``per`` cases the errors and cost at each threshold, on the cases given
    (pass the test set to report, the validation set to explain the choice). Raises
    ``ValueError`` as ``cost_curve`` does.
    """
    curve = cost_curve(y_true, scores, costs, thresholds=[DEFAULT_THRESHOLD, threshold])
    per_text = f"{per:,}"
    rows = []
    for label, t in (("Default", DEFAULT_THRESHOLD), ("Chosen by expected cost", threshold)):
        i = int(np.searchsorted(curve.thresholds, t))
        rows.append(
            [
                label,
                f"{t:.3f}",
                format_count(per_n(int(curve.false_positives[i]), curve.n, per)),
                format_count(per_n(int(curve.false_negatives[i]), curve.n, per)),
                format_count(per_n(float(curve.costs[i]), curve.n, per)),
            ]
        )
    table = markdown_table(
        [
            "Threshold",
            "Value",
            f"False positives per {per_text}",
            f"False negatives per {per_text}",
            f"Expected cost per {per_text}",
        ],
        rows,
        align=["left", "right", "right", "right", "right"],
    )
    prices = (
        f"Costs: a false positive costs {format_count(costs.false_positive)}, "
        f"a false negative {format_count(costs.false_negative)} "
        f"(evaluated on {curve.n:,} cases)."
    )
    return f"{prices}\n\n{table}"
