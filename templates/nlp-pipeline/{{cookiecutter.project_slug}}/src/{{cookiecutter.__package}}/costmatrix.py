"""What each kind of error costs when there are any number of classes, and the cheapest decision.

With two classes one threshold trades false alarms for misses (``costs.py``). With more, an
error is a pair: the true class and the class given instead, and each pair may cost something
else (sending a complaint to the sales queue is worse than sending it to billing). The cost
matrix ``C[true, predicted]`` holds those prices; the decision that minimises the expected cost
of a text is the class ``j`` with the lowest ``sum_i p(i | text) * C[i, j]``, which is the most
probable class when every error costs the same. The business table then counts, per 10,000
texts, each kind of error and what it costs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from .business import PER, per_n
from .config import CostConfig, LabelConfig
from .costs import ErrorCosts
from .formats import per_10k, price, share
from .tables import markdown_table

__all__ = [
    "CostMatrix",
    "confusion",
    "cost_matrix",
    "error_table",
    "errors_markdown",
]


@dataclass(frozen=True, eq=False)
class CostMatrix:
    """``matrix[i, j]``: the cost of giving class ``j`` to a text of class ``i``, in ``currency``.

    The diagonal is 0; the array is read-only.
    """

    classes: tuple[str, ...]
    matrix: npt.NDArray[np.float64]
    currency: str

    @property
    def uniform(self) -> bool:
        """Whether every error costs the same, so the cheapest class is the most probable."""
        off = self.matrix[~np.eye(len(self.classes), dtype=bool)]
        return bool(np.all(off == off[0]))

    def error_costs(self) -> ErrorCosts:
        """Return a two-class matrix as the false-positive and false-negative costs.

        Code 1 is the positive class: a false positive is true 0 given 1, a false negative the
        reverse. Raises ``ValueError`` for more than two classes.
        """
        if len(self.classes) != 2:
            raise ValueError(f"{len(self.classes)} classes have no single positive class")
        return ErrorCosts(false_positive=self.matrix[0, 1], false_negative=self.matrix[1, 0])

    def decide(self, probabilities: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
        """Return, per row of class probabilities, the class with the lowest expected cost.

        Ties go to the lower class code, as ``argmin`` does, so decisions are reproducible.
        """
        return np.argmin(np.asarray(probabilities) @ self.matrix, axis=1).astype(np.int64)

    def total(self, y: npt.ArrayLike, predicted: npt.ArrayLike) -> float:
        """Return the cost of the errors made by ``predicted`` on cases of classes ``y``."""
        return float(self.matrix[np.asarray(y), np.asarray(predicted)].sum())

    def to_dict(self) -> dict[str, Any]:
        """Return the matrix as JSON: ``{"currency": ..., "matrix": {true: {predicted: cost}}}``."""
        return {
            "currency": self.currency,
            "matrix": {
                true: {
                    predicted: float(self.matrix[i, j])
                    for j, predicted in enumerate(self.classes)
                    if i != j
                }
                for i, true in enumerate(self.classes)
            },
        }


def cost_matrix(costs: CostConfig, labels: LabelConfig) -> CostMatrix:
    """Build the cost matrix the config describes, for the classes in code order.

    Two classes: ``false_positive`` (a negative text given the positive class) and
    ``false_negative``. More: ``error`` for every error, then the prices in ``matrix``.
    """
    classes = labels.classes
    k = len(classes)
    if labels.binary:
        matrix = np.array(
            [[0.0, float(costs.false_positive or 0.0)], [float(costs.false_negative or 0.0), 0.0]]
        )
    else:
        matrix = np.full((k, k), float(costs.error))
        np.fill_diagonal(matrix, 0.0)
        index = {name: i for i, name in enumerate(classes)}
        for true, row in costs.matrix.items():
            for predicted, value in row.items():
                matrix[index[true], index[predicted]] = float(value)
    matrix.setflags(write=False)
    return CostMatrix(classes=classes, matrix=matrix, currency=costs.currency)


def confusion(y: npt.ArrayLike, predicted: npt.ArrayLike, k: int) -> npt.NDArray[np.int64]:
    """Return the ``k x k`` confusion matrix: row = true class, column = class given."""
    truth, given = np.asarray(y, dtype=np.int64), np.asarray(predicted, dtype=np.int64)
    return np.bincount(truth * k + given, minlength=k * k).reshape(k, k)


def error_table(
    y: npt.ArrayLike, predicted: npt.ArrayLike, costs: CostMatrix, *, per: int = PER
) -> list[dict[str, Any]]:
    """Return each kind of error made (true class, class given), dearest per ``per`` first.

    Each row: ``true``, ``predicted``, ``count`` (on the cases given), ``per_n`` (errors per
    ``per`` cases), ``share_of_true`` (of the true class's cases), ``unit_cost`` and
    ``cost_per_n``. Kinds of error that did not occur are left out.
    """
    k = len(costs.classes)
    counts = confusion(y, predicted, k)
    n = int(counts.sum())
    rows = []
    for i in range(k):
        for j in range(k):
            if i == j or counts[i, j] == 0:
                continue
            rows.append(
                {
                    "true": costs.classes[i],
                    "predicted": costs.classes[j],
                    "count": int(counts[i, j]),
                    "per_n": per_n(int(counts[i, j]), n, per),
                    "share_of_true": float(counts[i, j] / counts[i].sum()),
                    "unit_cost": float(costs.matrix[i, j]),
                    "cost_per_n": per_n(float(counts[i, j] * costs.matrix[i, j]), n, per),
                }
            )
    return sorted(rows, key=lambda r: (-r["cost_per_n"], -r["count"], r["true"], r["predicted"]))


def errors_markdown(rows: Sequence[dict[str, Any]], currency: str, items: str) -> str:
    """Render ``error_table`` rows as a Markdown table, ``items`` naming the cases (plural)."""
    if not rows:
        return f"No errors on these {items}."
    return markdown_table(
        [
            "True class",
            "Given as",
            f"Errors per 10,000 {items}",
            f"Share of the true class's {items}",
            f"Cost each ({currency})",
            f"Cost per 10,000 ({currency})",
        ],
        [
            [
                row["true"],
                row["predicted"],
                per_10k(row["per_n"]),
                share(row["share_of_true"]),
                price(row["unit_cost"]),
                per_10k(row["cost_per_n"]),
            ]
            for row in rows
        ],
        align=["left", "left", "right", "right", "right", "right"],
    )
