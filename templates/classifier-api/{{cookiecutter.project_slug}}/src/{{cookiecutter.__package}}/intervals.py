"""Bootstrap intervals of the classifier's metrics, every resample in one vectorised pass.

``uncertainty.bootstrap_metric`` calls a metric once per resample: general, but at 200,000
test cases each ROC-AUC call sorts the scores again, and six metrics with 1,000 resamples
each took most of a minute. Here the resamples come as count matrices
(``uncertainty.resample_counts``, the same resamples for the same seed) and each metric's
vectorised twin (``metrics.RESAMPLED``) scores a whole chunk at once; one pass serves every
metric and every system, so each comparison stays paired: all of them see the same
resampled cases.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from .metrics import RESAMPLED
from .progress import track
from .uncertainty import count_chunks, resample_counts

__all__ = ["resampled_values"]

Metric = Callable[[Any, Any], float]


def resampled_values(
    y: Any,
    inputs: Mapping[str, tuple[Metric, Any]],
    *,
    n_resamples: int,
    seed: int,
    description: str,
) -> dict[str, npt.NDArray[np.float64]]:
    """Return, per name, ``metric(y, values)`` on every resample (NaN where undefined).

    ``inputs`` maps a name to a metric of ``metrics.RESAMPLED`` and the values it scores
    (scores, or flags at a threshold), all row-aligned with ``y``. A progress bar labelled
    ``description`` counts the chunks of resamples.

    Raises ``ValueError`` for zero rows or a metric without a vectorised twin.
    """
    labels = np.asarray(y)
    missing = [name for name, (metric, _) in inputs.items() if metric not in RESAMPLED]
    if missing:
        raise ValueError(f"no vectorised form of the metric for {', '.join(missing)}")
    results = {name: np.empty(n_resamples) for name in inputs}
    chunks = resample_counts(labels.size, n_resamples, seed=seed)
    total = count_chunks(labels.size, n_resamples)
    for start, counts in track(chunks, description=description, total=total, unit="chunk"):
        for name, (metric, values) in inputs.items():
            results[name][start : start + len(counts)] = RESAMPLED[metric](labels, values, counts)
    return results
