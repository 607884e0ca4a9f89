"""Probabilities that mean what they say: Platt scaling on validation, kept only where it helps.

The threshold is chosen by cost on any score scale, but a served probability is read as a
probability: of the cases scored 0.8, about 8 in 10 should be positive. Platt's method fits a
logistic curve to the model's log-odds on held-out cases. It has two parameters, so the
validation split (never the test set) is enough to fit it, and it is strictly increasing, so
it never reorders cases: ROC-AUC, average precision and every decision on validation stay as
they were, and only the probabilities move.

Whether it helps is measured, not assumed. Each validation case gets a calibrated score from a
curve fitted on the other folds (cross-fitting), so no case judges a curve fitted on itself;
the calibration is kept only when the paired interval of the per-case squared errors shows it
lowers the Brier score. Even perfectly calibrated scores look a little better after a refit
half of the time; a fitted step that the evidence does not support is left out.

The fit is a logistic regression (scikit-learn) on the log-odds with Platt's smoothed targets,
``(positives + 1) / (positives + 2)`` and ``1 / (negatives + 2)``: without them a validation
set the model separates perfectly would drive the slope to infinity.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.special import expit, logit
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from .claims import Wording, compare
from .policies import AMOUNT, SETTLE, SIGNED
from .uncertainty import paired_means

__all__ = [
    "IDENTITY",
    "Calibration",
    "CalibrationChoice",
    "brier_comparison",
    "choose_calibration",
    "fit_sigmoid",
]

# Scores are clipped this far from 0 and 1 before taking log-odds: a score of exactly 0 or 1
# (a confident tree) would otherwise be an infinite input.
_EPSILON = 1e-12
# Effectively no penalty: the smoothed targets already keep the fit finite.
_NO_PENALTY = 1e12
MAX_FOLDS = 5


@dataclass(frozen=True)
class Calibration:
    """A map from the model's scores to calibrated probabilities: Platt's curve, or none."""

    method: str = "none"
    slope: float = 1.0
    intercept: float = 0.0

    def __post_init__(self) -> None:
        """Refuse a curve that would reorder cases or is not a known method."""
        if self.method not in ("none", "sigmoid"):
            raise ValueError(f"unknown calibration method {self.method!r}: use none or sigmoid")
        if not (np.isfinite(self.slope) and np.isfinite(self.intercept)) or self.slope <= 0:
            raise ValueError(
                f"a calibration curve needs a finite positive slope, got {self.slope!r}"
            )

    def apply(self, scores: Any) -> npt.NDArray[np.float64]:
        """Return the calibrated probabilities of ``scores`` (unchanged for ``none``)."""
        values = np.asarray(scores, dtype=np.float64)
        if self.method == "none":
            return values
        log_odds = logit(np.clip(values, _EPSILON, 1 - _EPSILON))
        return np.asarray(expit(self.slope * log_odds + self.intercept), dtype=np.float64)

    def apply_one(self, score: float) -> float:
        """Return one calibrated probability without NumPy's per-call overhead (an API call).

        Raises ``ValueError`` for a score that is not a finite number in [0, 1].
        """
        if not 0.0 <= score <= 1.0:
            raise ValueError(f"a score must be a probability between 0 and 1, got {score!r}")
        if self.method == "none":
            return float(score)
        clipped = min(max(score, _EPSILON), 1 - _EPSILON)
        z = self.slope * math.log(clipped / (1 - clipped)) + self.intercept
        # The two forms of the logistic function that cannot overflow for either sign.
        return 1 / (1 + math.exp(-z)) if z >= 0 else math.exp(z) / (1 + math.exp(z))

    def to_dict(self) -> dict[str, Any]:
        """Return the fields as JSON values, for the model's metadata."""
        return {"method": self.method, "slope": self.slope, "intercept": self.intercept}

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> Calibration:
        """Read what ``to_dict`` wrote. Raises ``KeyError``, ``TypeError`` or ``ValueError``."""
        return cls(str(values["method"]), float(values["slope"]), float(values["intercept"]))


IDENTITY = Calibration()


def fit_sigmoid(labels: Any, scores: Any) -> Calibration:
    """Fit Platt's curve to ``scores`` for 0/1 ``labels``.

    Raises ``ValueError`` if the cases are not of both classes, or the fitted curve would be
    decreasing (the scores rank the classes the wrong way round).
    """
    truth = np.asarray(labels) == 1
    positives = int(truth.sum())
    negatives = truth.size - positives
    if positives == 0 or negatives == 0:
        raise ValueError("calibration needs cases of both classes")
    target = np.where(truth, (positives + 1) / (positives + 2), 1 / (negatives + 2))
    log_odds = logit(np.clip(np.asarray(scores, dtype=np.float64), _EPSILON, 1 - _EPSILON))
    # A smoothed target t is one case counted as positive with weight t and as negative
    # with weight 1 - t.
    x = np.concatenate([log_odds, log_odds])[:, None]
    y = np.concatenate([np.ones(truth.size), np.zeros(truth.size)])
    weights = np.concatenate([target, 1 - target])
    model = LogisticRegression(C=_NO_PENALTY).fit(x, y, sample_weight=weights)
    slope, intercept = float(model.coef_[0, 0]), float(model.intercept_[0])
    if slope <= 0:
        raise ValueError("the scores rank the classes the wrong way round: nothing to calibrate")
    return Calibration("sigmoid", slope, intercept)


@dataclass(frozen=True)
class CalibrationChoice:
    """The calibration kept, and the cross-fitted evidence it was kept on.

    ``text`` is the paired comparison's sentence (or why there is none); ``verdict`` says
    what was done. The curve is kept only when the comparison is conclusive.
    """

    calibration: Calibration
    folds: int
    comparison: dict[str, Any] | None
    text: str

    @property
    def kept(self) -> bool:
        """Whether the probabilities are calibrated."""
        return self.calibration.method != "none"

    @property
    def verdict(self) -> str:
        """What was done, in one sentence."""
        return "Platt scaling is kept." if self.kept else "The scores are left uncalibrated."

    def to_dict(self) -> dict[str, Any]:
        """Return the choice as JSON values, for the model's metadata and the report."""
        return {
            **self.calibration.to_dict(),
            "kept": self.kept,
            "folds": self.folds,
            "validation_brier": self.comparison,
            "text": self.text,
            "verdict": self.verdict,
        }


def _brier_wording(cases: str) -> Wording:
    return Wording(
        ahead=f"Calibration lowers the Brier score by {AMOUNT} on these {cases}.",
        behind=f"Calibration raises the Brier score by {AMOUNT} on these {cases}.",
        unclear=(
            f"No change in the Brier score from calibration these {cases} can show: {SIGNED}; "
            f"{SETTLE}."
        ),
    )


def _brier_digits(value: float) -> str:
    # Brier differences run to ten-thousandths on large test sets: four decimals for all.
    return f"{value:.4f}"


def brier_comparison(
    labels: Any,
    before: Any,
    after: Any,
    *,
    cases: str,
    units: str,
    n_resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
) -> tuple[dict[str, Any], str]:
    """Compare the Brier score of two sets of probabilities on the same cases, paired.

    The difference is ``before - after``: positive when ``after`` is better calibrated. Returns
    the comparison as JSON values and its sentence; ``cases`` names the cases in the sentence
    after "these" ("test cases"), ``units`` in the clause saying how many would settle it.
    """
    truth = (np.asarray(labels) == 1).astype(np.float64)
    comparison = paired_means(
        (np.asarray(before, dtype=np.float64) - truth) ** 2,
        (np.asarray(after, dtype=np.float64) - truth) ** 2,
        n_resamples=n_resamples,
        confidence=confidence,
        seed=seed,
    )
    text = compare(comparison.difference, _brier_wording(cases), value=_brier_digits, units=units)
    return comparison.to_dict(), text


def choose_calibration(
    labels: Any,
    scores: Any,
    *,
    n_resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
) -> CalibrationChoice:
    """Fit Platt's curve on these (validation) cases; keep it if cross-fitting shows it helps.

    Up to five stratified folds; with fewer than two cases of either class per fold there is
    nothing to cross-fit, and the scores stay as they are (the text says why).
    """
    truth = np.asarray(labels) == 1
    values = np.asarray(scores, dtype=np.float64)
    folds = min(MAX_FOLDS, int(truth.sum()), int((~truth).sum()))
    if folds < 2:
        return CalibrationChoice(
            IDENTITY, 0, None, "Not calibrated: too few validation cases of one class to test it."
        )
    crossed = np.empty_like(values)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    try:
        for fit_rows, held_out in splitter.split(values.reshape(-1, 1), truth):
            curve = fit_sigmoid(truth[fit_rows], values[fit_rows])
            crossed[held_out] = curve.apply(values[held_out])
        final = fit_sigmoid(truth, values)
    except ValueError as err:
        return CalibrationChoice(IDENTITY, folds, None, f"Not calibrated: {err}.")
    comparison, sentence = brier_comparison(
        truth,
        values,
        crossed,
        cases="validation cases (cross-fitted)",
        units="validation cases",
        n_resamples=n_resamples,
        confidence=confidence,
        seed=seed,
    )
    kept = comparison["difference"]["low"] > 0
    return CalibrationChoice(final if kept else IDENTITY, folds, comparison, sentence)
