"""Recalibration: it fixes probabilities that are off, leaves good ones alone, keeps the order."""

import numpy as np
import pytest
from scipy.special import expit, logit

from {{ cookiecutter.__package }}.calibrator import Calibrator, choose_calibration, fit_calibrator
from {{ cookiecutter.__package }}.metrics import brier_terms

RNG = np.random.default_rng(11)


def _binary(n: int, squash: float) -> tuple[np.ndarray, np.ndarray]:
    """Outcomes drawn from true probabilities, and scores with ``squash`` times their log-odds.

    ``squash`` below 1 makes the scores under-confident (0.34 where the truth is near 1).
    """
    truth = expit(RNG.normal(0.0, 3.0, size=n))
    y = (RNG.random(n) < truth).astype(np.int64)
    scores = expit(squash * logit(truth))
    return y, np.column_stack([1 - scores, scores])


def test_under_confident_scores_are_recalibrated_and_their_brier_score_falls() -> None:
    y, probabilities = _binary(600, squash=0.3)
    fitted = fit_calibrator(probabilities, y)
    assert fitted.slope == pytest.approx(1 / 0.3, rel=0.25)
    before = brier_terms(y, probabilities).mean()
    after = brier_terms(y, fitted.apply(probabilities)).mean()
    assert after < before


def test_with_two_classes_it_is_platts_sigmoid_on_the_log_odds() -> None:
    y, probabilities = _binary(300, squash=0.5)
    fitted = fit_calibrator(probabilities, y)
    expected = expit(fitted.slope * logit(probabilities[:, 1]) + fitted.bias[1])
    np.testing.assert_allclose(fitted.apply(probabilities)[:, 1], expected, rtol=1e-9)


def test_the_order_of_the_texts_is_kept_so_every_threshold_decides_alike() -> None:
    y, probabilities = _binary(300, squash=0.4)
    recalibrated = fit_calibrator(probabilities, y).apply(probabilities)[:, 1]
    order = np.argsort(probabilities[:, 1], kind="stable")
    assert np.all(np.diff(recalibrated[order]) >= 0)


def test_a_perfectly_separated_validation_set_keeps_a_finite_slope() -> None:
    y = np.array([0] * 20 + [1] * 20)
    scores = np.r_[np.full(20, 0.2), np.full(20, 0.8)]
    fitted = fit_calibrator(np.column_stack([1 - scores, scores]), y)
    assert np.isfinite(fitted.slope) and fitted.slope < 100


def test_more_classes_get_a_temperature_and_a_bias_each() -> None:
    y = np.repeat([0, 1, 2], 200)
    logits = np.eye(3)[y] * 3.0 + RNG.normal(0, 1.0, size=(600, 3))
    squashed = np.exp(0.3 * logits)
    probabilities = squashed / squashed.sum(axis=1, keepdims=True)
    fitted = fit_calibrator(probabilities, y)
    assert len(fitted.bias) == 3 and fitted.bias[0] == 0.0
    recalibrated = fitted.apply(probabilities)
    np.testing.assert_allclose(recalibrated.sum(axis=1), 1.0)
    assert brier_terms(y, recalibrated).mean() < brier_terms(y, probabilities).mean()


def test_the_recalibration_is_kept_only_where_the_interval_shows_it_helps() -> None:
    y, under = _binary(600, squash=0.3)
    kept = choose_calibration(under, y, enabled=True, resamples=300, seed=0)
    assert kept.applied and kept.calibrator is not None
    assert kept.comparison.difference.low > 0
    y, calibrated = _binary(600, squash=1.0)
    left = choose_calibration(calibrated, y, enabled=True, resamples=300, seed=0)
    assert not left.applied and left.calibrator is None and left.candidate is not None
    assert left.comparison.difference.low <= 0
    assert left.reason == "the validation set cannot show that it lowers the Brier score"


def test_recalibration_can_be_turned_off_or_be_impossible() -> None:
    y, probabilities = _binary(200, squash=0.3)
    off = choose_calibration(probabilities, y, enabled=False, resamples=100, seed=0)
    assert off.calibrator is None and off.comparison is None
    single = np.array([0] * 30 + [1])
    lonely = choose_calibration(probabilities[:31], single, enabled=True, resamples=100, seed=0)
    assert lonely.candidate is None and "fewer than two validation texts" in lonely.reason


def test_parameters_round_trip_through_json() -> None:
    calibrator = Calibrator(slope=1.7, bias=(0.0, -0.4))
    assert Calibrator.from_dict(calibrator.to_dict()) == calibrator
    with pytest.raises(ValueError, match="slope"):
        Calibrator.from_dict({"slope": 0.0, "bias": [0.0, 0.0]})
