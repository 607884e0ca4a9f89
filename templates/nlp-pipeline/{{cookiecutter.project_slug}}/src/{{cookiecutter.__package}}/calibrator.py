"""Recalibrate the model's probabilities on the validation set, and only where that helps.

A regularised linear model over TF-IDF features is often under-confident: texts it scores 0.3
are, in fact, nearly always of the class. The threshold is chosen by cost on any score scale,
but a probability that a reader, a queue or a cost matrix takes at its word should mean it.

The recalibration is temperature scaling with a bias per class: ``softmax(a * log p + b)``,
one slope ``a > 0`` for all classes and one bias each (the first fixed at 0). With two classes
this is exactly Platt's sigmoid on the model's log-odds, ``sigmoid(a * logit(p) + c)``; with
more it is the temperature scaling of Guo et al. (2017) with a prior shift. It has as many
parameters as classes, so a validation set of a few hundred texts is enough to fit it, and its
slope is positive, so with two classes it never reorders texts: ROC-AUC and every threshold's
decisions stay as they were, only the probabilities move. Platt's smoothed targets
(``(n + 1) / (n + 2)`` for the true class) keep the slope finite on a validation set the model
separates perfectly.

Whether it helps is measured, not assumed: each validation text gets a probability from a fit
on the other folds (cross-fitting), so no text judges a fit it took part in, and the
recalibration is kept when that lowers the Brier score, that is when the paired interval of
the per-text Brier terms lies above zero (the rule every comparison of this project follows):
a recalibration the data cannot show to help is not applied. The fit is a dozen lines over
``scipy.optimize``, because scikit-learn has no multi-class temperature scaling and its
``CalibratedClassifierCV`` refits the model it calibrates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.optimize import minimize
from scipy.special import log_softmax, softmax
from sklearn.model_selection import StratifiedKFold

from .metrics import brier_terms
from .uncertainty import Comparison, paired_means

__all__ = ["Calibrator", "CalibrationChoice", "choose_calibration", "fit_calibrator"]

_FLOOR = 1e-12
_MAX_FOLDS = 5
_MIN_SLOPE = 1e-3


@dataclass(frozen=True)
class Calibrator:
    """``softmax(slope * log p + bias)``: the recalibration applied to every probability row."""

    slope: float
    bias: tuple[float, ...]

    def apply(self, probabilities: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """Return the recalibrated probabilities, one row per text, each row summing to 1."""
        logits = self.slope * np.log(np.clip(probabilities, _FLOOR, 1.0)) + np.asarray(self.bias)
        return np.asarray(softmax(logits, axis=1), dtype=np.float64)

    def to_dict(self) -> dict[str, Any]:
        """Return the parameters as JSON, for ``models/model.json``."""
        return {"slope": self.slope, "bias": list(self.bias)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Calibrator:
        """Read the parameters ``to_dict`` wrote; raises ``ValueError`` if they are not numbers."""
        slope = float(data["slope"])
        bias = tuple(float(b) for b in data["bias"])
        if not np.isfinite([slope, *bias]).all() or slope <= 0:
            raise ValueError("the calibration's slope and bias must be finite, the slope > 0")
        return cls(slope=slope, bias=bias)


def _targets(y: npt.NDArray[np.int64], k: int) -> npt.NDArray[np.float64]:
    """Platt's smoothed targets, one row per text: ``(n + 1) / (n + 2)`` on the true class."""
    counts = np.bincount(y, minlength=k).astype(np.float64)
    true = (counts[y] + 1.0) / (counts[y] + 2.0)
    targets = np.repeat(((1.0 - true) / (k - 1))[:, None], k, axis=1)
    targets[np.arange(y.size), y] = true
    return targets


def fit_calibrator(probabilities: npt.NDArray[np.float64], y: npt.NDArray[np.int64]) -> Calibrator:
    """Fit the slope and biases that minimise the log loss of ``probabilities`` against ``y``."""
    k = probabilities.shape[1]
    z = np.log(np.clip(probabilities, _FLOOR, 1.0))
    targets = _targets(np.asarray(y, dtype=np.int64), k)
    n = float(y.size)

    def loss(params: npt.NDArray[np.float64]) -> tuple[float, npt.NDArray[np.float64]]:
        logits = params[0] * z
        logits[:, 1:] += params[1:]
        log_q = log_softmax(logits, axis=1)
        residual = (np.exp(log_q) - targets) / n
        gradient = np.concatenate([[np.sum(residual * z)], residual[:, 1:].sum(axis=0)])
        return float(-np.sum(targets * log_q) / n), gradient

    start = np.concatenate([[1.0], np.zeros(k - 1)])
    bounds = [(_MIN_SLOPE, None)] + [(None, None)] * (k - 1)
    result = minimize(loss, start, jac=True, method="L-BFGS-B", bounds=bounds)
    return Calibrator(slope=float(result.x[0]), bias=(0.0, *(float(b) for b in result.x[1:])))


@dataclass(frozen=True)
class CalibrationChoice:
    """Whether to recalibrate, and the cross-fitted evidence on the validation set.

    ``candidate`` is the recalibration fitted on the whole validation set (None when none can
    be); ``applied`` says whether the model uses it. ``comparison`` pairs each validation
    text's Brier term before and after (cross-fitted): ``first`` before, ``second`` after, so
    a positive difference is what recalibration saves. ``reason`` says why, in words.
    """

    candidate: Calibrator | None
    applied: bool
    comparison: Comparison | None
    folds: int
    reason: str

    @property
    def calibrator(self) -> Calibrator | None:
        """The recalibration the model applies, or None."""
        return self.candidate if self.applied else None

    def to_dict(self) -> dict[str, Any]:
        """Return the choice as plain JSON values, for the report."""
        return {
            "applied": self.applied,
            "method": "temperature scaling with a bias per class (Platt's sigmoid for two)",
            "candidate": None if self.candidate is None else self.candidate.to_dict(),
            "validation": None if self.comparison is None else self.comparison.to_dict(),
            "folds": self.folds,
            "reason": self.reason,
        }


def choose_calibration(
    probabilities: npt.NDArray[np.float64],
    y: npt.NDArray[np.int64],
    *,
    enabled: bool,
    resamples: int,
    seed: int,
) -> CalibrationChoice:
    """Decide on validation ``probabilities`` whether recalibration lowers the Brier score.

    Each text is recalibrated by a fit on the other folds; the recalibration is kept when the
    paired interval of the per-text Brier terms, before minus after, lies above zero.
    ``enabled=False`` (``[model] calibration = "off"``) skips the test; a class with a single
    validation text makes it impossible.
    """
    if not enabled:
        return CalibrationChoice(None, False, None, 0, "it is turned off in [model] calibration")
    y = np.asarray(y, dtype=np.int64)
    k = probabilities.shape[1]
    fewest = int(np.bincount(y, minlength=k).min())
    folds = min(_MAX_FOLDS, fewest)
    if folds < 2:
        return CalibrationChoice(
            None, False, None, 0, "a class has fewer than two validation texts"
        )
    crossed = np.empty_like(probabilities)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for inside, held_out in splitter.split(probabilities, y):
        fitted = fit_calibrator(probabilities[inside], y[inside])
        crossed[held_out] = fitted.apply(probabilities[held_out])
    comparison = paired_means(
        brier_terms(y, probabilities), brier_terms(y, crossed), n_resamples=resamples, seed=seed
    )
    candidate = fit_calibrator(probabilities, y)
    if comparison.difference.direction > 0:
        return CalibrationChoice(candidate, True, comparison, folds, "it lowers the Brier score")
    return CalibrationChoice(
        candidate,
        False,
        comparison,
        folds,
        "the validation set cannot show that it lowers the Brier score",
    )
