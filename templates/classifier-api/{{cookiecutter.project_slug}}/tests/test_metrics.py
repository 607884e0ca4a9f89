import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from sklearn import metrics as sk

from {{ cookiecutter.__package }} import (
    metrics,
)
from {{ cookiecutter.__package }}.uncertainty import (
    resample_counts,
)


@pytest.mark.parametrize("seed", range(5))
def test_the_numpy_metrics_agree_with_scikit_learn(seed: int) -> None:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, 300)
    # Rounded scores: many ties, the case where ranking metrics are easiest to get wrong.
    scores = np.round(np.clip(0.3 * y + rng.random(300) * 0.7, 0, 1), 2)
    flagged = scores >= 0.5
    assert metrics.roc_auc(y, scores) == pytest.approx(sk.roc_auc_score(y, scores))
    assert metrics.average_precision(y, scores) == pytest.approx(
        sk.average_precision_score(y, scores)
    )
    assert metrics.brier(y, scores) == pytest.approx(sk.brier_score_loss(y, scores))
    assert metrics.precision(y, flagged) == pytest.approx(sk.precision_score(y, flagged))
    assert metrics.recall(y, flagged) == pytest.approx(sk.recall_score(y, flagged))
    assert metrics.f1(y, flagged) == pytest.approx(sk.f1_score(y, flagged))
    tn, fp, _, _ = sk.confusion_matrix(y, flagged).ravel()
    assert metrics.false_positive_rate(y, flagged) == pytest.approx(fp / (fp + tn))
    assert metrics.flagged_rate(y, flagged) == pytest.approx(flagged.mean())


def test_a_hand_checked_example() -> None:
    y = np.array([0, 0, 1, 1])
    scores = np.array([0.1, 0.4, 0.35, 0.8])
    # Pairs (positive, negative) ranked correctly: (0.35 > 0.1), (0.8 > 0.1), (0.8 > 0.4).
    assert metrics.roc_auc(y, scores) == pytest.approx(3 / 4)
    # Ranked: 0.8 (+), 0.4 (-), 0.35 (+): AP = 1/2 * 1 + 1/2 * 2/3.
    assert metrics.average_precision(y, scores) == pytest.approx(5 / 6)
    flagged = scores >= 0.38
    assert metrics.precision(y, flagged) == pytest.approx(1 / 2)
    assert metrics.recall(y, flagged) == pytest.approx(1 / 2)


@pytest.mark.parametrize(
    ("metric", "y", "values"),
    [
        (metrics.roc_auc, [1, 1], [0.2, 0.9]),
        (metrics.average_precision, [0, 0], [0.2, 0.9]),
        (metrics.precision, [0, 1], [False, False]),
        (metrics.recall, [0, 0], [True, False]),
        (metrics.false_positive_rate, [1, 1], [True, False]),
    ],
)
def test_undefined_metrics_raise_so_the_bootstrap_skips_them(
    metric: Callable[[Any, Any], float], y: list[Any], values: list[Any]
) -> None:
    with pytest.raises(ValueError, match="needs|undefined"):
        metric(np.array(y), np.array(values))


def _resampled_rows(counts: np.ndarray) -> list[np.ndarray]:
    """Return each resample's row positions, the way bootstrap_metric would take them."""
    return [np.repeat(np.arange(row.size), row.astype(int)) for row in counts]


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("rows", [12, 400])
def test_the_resampled_twins_equal_each_metric_on_each_resample(seed: int, rows: int) -> None:
    rng = np.random.default_rng(seed)
    y = (rng.random(rows) < 0.25).astype(int)
    # Rounded scores: runs of ties, where a weighted ranking is easiest to get wrong. At 12
    # rows some resamples have no positive (or flag nobody): the twin must say NaN there.
    scores = np.round(np.clip(0.3 * y + rng.random(rows) * 0.7, 0, 1), 1)
    flagged = scores >= 0.6
    counts = np.vstack([c for _, c in resample_counts(rows, 60, seed=seed)])
    for metric, values in (
        (metrics.roc_auc, scores),
        (metrics.average_precision, scores),
        (metrics.brier, scores),
        (metrics.precision, flagged),
        (metrics.recall, flagged),
        (metrics.f1, flagged),
    ):
        twin = metrics.RESAMPLED[metric](y, values, counts)
        for i, taken in enumerate(_resampled_rows(counts)):
            try:
                expected = metric(y[taken], values[taken])
            except ValueError:
                assert math.isnan(twin[i]), (metric.__name__, i)
            else:
                assert twin[i] == pytest.approx(expected, abs=1e-12), (metric.__name__, i)
