from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from sklearn import metrics as sk

from {{ cookiecutter.__package }} import (
    metrics,
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
