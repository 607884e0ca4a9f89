"""Binary classification metrics in plain NumPy, fast enough to bootstrap.

A bootstrap interval recomputes each metric on 1,000 resamples. scikit-learn's metric
functions spend milliseconds per call on input checks, which turns six intervals into a
minute; these take tens of microseconds. They follow scikit-learn's definitions exactly
(``tests/test_metrics.py`` compares them on random data with ties), take 0/1 labels and
positive-class scores, and raise ``ValueError`` where a metric is undefined (no positive
case, nobody flagged), which the bootstrap treats as "skip this resample".

Each metric also has a ``RESAMPLED`` twin that takes a matrix of resample counts
(``uncertainty.resample_counts``: row ``i`` says how often each case is drawn in resample
``i``) and returns the metric of every resample at once, NaN where it is undefined. A case
drawn twice is two tied cases, so the twins equal the plain metric on each resample
(``tests/test_metrics.py``); they sort the scores once per chunk of resamples instead of
once per resample, which at 200,000 test cases takes the bootstrap from about a minute to
seconds.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.stats import rankdata

__all__ = [
    "RESAMPLED",
    "average_precision",
    "brier",
    "f1",
    "false_positive_rate",
    "flagged_rate",
    "precision",
    "recall",
    "roc_auc",
]


def _arrays(y: Any, scores: Any) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.float64]]:
    return np.asarray(y) == 1, np.asarray(scores, dtype=np.float64)


def roc_auc(y: Any, scores: Any) -> float:
    """Area under the ROC curve: the chance a random positive outranks a random negative.

    Raises:
        ValueError: only one class is present.

    """
    truth, values = _arrays(y, scores)
    n_pos = int(truth.sum())
    n_neg = truth.size - n_pos
    if n_pos == 0 or n_neg == 0:
        raise ValueError("ROC-AUC needs both classes")
    ranks = rankdata(values)
    return float((ranks[truth].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def average_precision(y: Any, scores: Any) -> float:
    """Average precision (area under the precision-recall step curve), as scikit-learn.

    Raises:
        ValueError: there is no positive case.

    """
    truth, values = _arrays(y, scores)
    if not truth.any():
        raise ValueError("average precision needs at least one positive case")
    order = np.argsort(-values, kind="mergesort")
    sorted_values, sorted_truth = values[order], truth[order]
    # The last index of each run of equal scores: one threshold per distinct score.
    ends = np.flatnonzero(np.diff(sorted_values) != 0)
    ends = np.append(ends, sorted_values.size - 1)
    true_positives = np.cumsum(sorted_truth)[ends]
    flagged = ends + 1
    precision_at = true_positives / flagged
    recall_at = true_positives / true_positives[-1]
    return float(np.sum(np.diff(recall_at, prepend=0.0) * precision_at))


def brier(y: Any, scores: Any) -> float:
    """Brier score: the mean squared gap between probability and outcome (lower is better)."""
    truth, values = _arrays(y, scores)
    return float(np.mean((values - truth) ** 2))


def _counts(y: Any, flagged: Any) -> tuple[int, int, int]:
    truth = np.asarray(y) == 1
    decision = np.asarray(flagged, dtype=bool)
    tp = int(np.count_nonzero(truth & decision))
    return tp, int(np.count_nonzero(~truth & decision)), int(np.count_nonzero(truth & ~decision))


def precision(y: Any, flagged: Any) -> float:
    """Share of flagged cases that are positive.

    Raises:
        ValueError: nothing is flagged.

    """
    tp, fp, _ = _counts(y, flagged)
    if tp + fp == 0:
        raise ValueError("precision is undefined when nothing is flagged")
    return tp / (tp + fp)


def recall(y: Any, flagged: Any) -> float:
    """Share of positive cases that are flagged.

    Raises:
        ValueError: there is no positive case.

    """
    tp, _, fn = _counts(y, flagged)
    if tp + fn == 0:
        raise ValueError("recall is undefined without positive cases")
    return tp / (tp + fn)


def f1(y: Any, flagged: Any) -> float:
    """Harmonic mean of precision and recall.

    Raises:
        ValueError: there is no positive case and nothing is flagged.

    """
    tp, fp, fn = _counts(y, flagged)
    if tp + fp + fn == 0:
        raise ValueError("F1 is undefined without positive cases or flags")
    return 2 * tp / (2 * tp + fp + fn)


def false_positive_rate(y: Any, flagged: Any) -> float:
    """Share of negative cases that are flagged.

    Raises:
        ValueError: there is no negative case.

    """
    truth = np.asarray(y) == 1
    negatives = int(np.count_nonzero(~truth))
    if negatives == 0:
        raise ValueError("false positive rate is undefined without negative cases")
    return int(np.count_nonzero(~truth & np.asarray(flagged, dtype=bool))) / negatives


def flagged_rate(y: Any, flagged: Any) -> float:
    """Share of all cases that are flagged (the selection rate); ``y`` is unused."""
    del y
    return float(np.mean(np.asarray(flagged, dtype=bool)))


# --- the same metrics over resample counts, vectorised across resamples ----------------------

Counts = npt.NDArray[np.float64]


def _ratio(top: Counts, bottom: Counts) -> Counts:
    """Return ``top / bottom``, NaN where ``bottom`` is zero (the metric is undefined)."""
    out = np.full(np.shape(top), np.nan)
    np.divide(top, bottom, out=out, where=bottom != 0)
    return out


def _roc_auc_resampled(y: Any, scores: Any, counts: Counts) -> Counts:
    truth, values = _arrays(y, scores)
    order = np.argsort(values, kind="mergesort")
    sorted_values = values[order]
    # Per sorted case, the first and the last position of its run of tied scores.
    new_run = np.r_[True, np.diff(sorted_values) != 0]
    first = np.flatnonzero(new_run)[np.cumsum(new_run) - 1]
    last = np.r_[np.flatnonzero(new_run)[1:] - 1, sorted_values.size - 1][np.cumsum(new_run) - 1]
    weights = np.take(counts, order, axis=1)
    positive = weights * truth[order]
    negative = weights - positive
    through = np.cumsum(negative, axis=1)
    below = through - negative
    if not new_run.all():
        # Within a run of ties, every case counts the negatives below the run's start and
        # up to its end.
        below, through = np.take(below, first, axis=1), np.take(through, last, axis=1)
    # A positive outranks the negatives below its run and ties half of those inside it.
    wins = 0.5 * np.sum(positive * (below + through), axis=1)
    return _ratio(wins, positive.sum(axis=1) * negative.sum(axis=1))


def _average_precision_resampled(y: Any, scores: Any, counts: Counts) -> Counts:
    truth, values = _arrays(y, scores)
    order = np.argsort(-values, kind="mergesort")
    sorted_values = values[order]
    ends = np.append(np.flatnonzero(np.diff(sorted_values) != 0), sorted_values.size - 1)
    weights = np.take(counts, order, axis=1)
    true_positives = np.take(np.cumsum(weights * truth[order], axis=1), ends, axis=1)
    flagged = np.take(np.cumsum(weights, axis=1), ends, axis=1)
    # A run of tied scores drawn zero times adds no recall, so its undefined precision is 0.
    precision_at = np.nan_to_num(_ratio(true_positives, flagged))
    recall_at = _ratio(true_positives, true_positives[:, -1:])
    return np.sum(np.diff(recall_at, axis=1, prepend=0.0) * precision_at, axis=1)


def _brier_resampled(y: Any, scores: Any, counts: Counts) -> Counts:
    truth, values = _arrays(y, scores)
    return _ratio(counts @ (values - truth) ** 2, counts.sum(axis=1))


def _cells(y: Any, flagged: Any, counts: Counts) -> tuple[Counts, Counts, Counts]:
    truth = np.asarray(y) == 1
    decision = np.asarray(flagged, dtype=bool)
    cells = np.stack([truth & decision, ~truth & decision, truth & ~decision], axis=1)
    tp, fp, fn = (counts @ cells.astype(np.float64)).T
    return tp, fp, fn


def _precision_resampled(y: Any, flagged: Any, counts: Counts) -> Counts:
    tp, fp, _ = _cells(y, flagged, counts)
    return _ratio(tp, tp + fp)


def _recall_resampled(y: Any, flagged: Any, counts: Counts) -> Counts:
    tp, _, fn = _cells(y, flagged, counts)
    return _ratio(tp, tp + fn)


def _f1_resampled(y: Any, flagged: Any, counts: Counts) -> Counts:
    tp, fp, fn = _cells(y, flagged, counts)
    return _ratio(2 * tp, 2 * tp + fp + fn)


# Each metric's twin over resample counts: ``RESAMPLED[metric](y, values, counts)``.
RESAMPLED: dict[Callable[[Any, Any], float], Callable[[Any, Any, Counts], Counts]] = {
    roc_auc: _roc_auc_resampled,
    average_precision: _average_precision_resampled,
    brier: _brier_resampled,
    precision: _precision_resampled,
    recall: _recall_resampled,
    f1: _f1_resampled,
}
