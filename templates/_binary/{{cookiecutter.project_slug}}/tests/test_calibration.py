"""Platt scaling, and the cross-fitted rule that keeps it only where it lowers the Brier score."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import expit, logit

from {{cookiecutter.__package}}.calibration import (
    IDENTITY,
    Calibration,
    brier_comparison,
    choose_calibration,
    fit_sigmoid,
)


def _cases(n: int, seed: int, *, sharpen: float) -> tuple[np.ndarray, np.ndarray]:
    """Labels drawn from true probabilities; scores with log-odds ``sharpen`` times too big."""
    rng = np.random.default_rng(seed)
    truth = rng.uniform(0.05, 0.95, n)
    labels = (rng.random(n) < truth).astype(int)
    return labels, expit(sharpen * logit(truth))


def test_platt_scaling_undoes_overconfident_scores() -> None:
    labels, scores = _cases(5_000, 0, sharpen=3.0)

    curve = fit_sigmoid(labels, scores)

    # The true map from the scores' log-odds back to the truth has slope 1/3, intercept 0.
    assert curve.slope == pytest.approx(1 / 3, abs=0.05)
    assert curve.intercept == pytest.approx(0, abs=0.1)


def test_the_curve_never_reorders_cases() -> None:
    labels, scores = _cases(500, 1, sharpen=2.0)
    curve = fit_sigmoid(labels, scores)

    calibrated = curve.apply(scores)

    order = np.argsort(scores, kind="mergesort")
    assert np.all(np.diff(calibrated[order]) >= 0)


def test_one_score_at_a_time_matches_the_array_path() -> None:
    curve = Calibration("sigmoid", slope=0.4, intercept=-0.3)
    scores = np.array([0.0, 1e-15, 0.2, 0.5, 0.9, 1.0])

    singles = [curve.apply_one(float(s)) for s in scores]

    np.testing.assert_allclose(singles, curve.apply(scores), rtol=1e-12)
    assert IDENTITY.apply_one(0.25) == 0.25
    with pytest.raises(ValueError, match="between 0 and 1"):
        curve.apply_one(1.5)


def test_miscalibrated_scores_are_calibrated_and_the_gain_is_paired() -> None:
    labels, scores = _cases(2_000, 2, sharpen=3.0)

    choice = choose_calibration(labels, scores, n_resamples=300)

    assert choice.kept and choice.folds == 5
    difference = choice.comparison["difference"]
    assert difference["low"] > 0  # before minus after: the Brier score drops
    assert choice.text.startswith("Calibration lowers the Brier score by ")
    assert choice.verdict == "Platt scaling is kept."


def test_calibrated_scores_are_left_as_they_are() -> None:
    labels, scores = _cases(400, 3, sharpen=1.0)

    choice = choose_calibration(labels, scores, n_resamples=300)

    assert not choice.kept and choice.calibration == IDENTITY
    assert not choice.comparison["difference"]["conclusive"]
    assert choice.verdict == "The scores are left uncalibrated."
    np.testing.assert_array_equal(choice.calibration.apply(scores), scores)


def test_too_few_cases_of_a_class_leave_the_scores_alone() -> None:
    choice = choose_calibration([0, 0, 0, 1], [0.1, 0.2, 0.3, 0.9])

    assert not choice.kept and choice.comparison is None
    assert "too few validation cases" in choice.text


def test_scores_ranking_the_classes_backwards_are_not_calibrated() -> None:
    with pytest.raises(ValueError, match="wrong way round"):
        fit_sigmoid([0, 0, 1, 1, 0, 1], [0.9, 0.8, 0.1, 0.2, 0.7, 0.3])
    with pytest.raises(ValueError, match="positive slope"):
        Calibration("sigmoid", slope=-1.0, intercept=0.0)


def test_the_calibration_round_trips_through_json_values() -> None:
    curve = Calibration("sigmoid", slope=0.5, intercept=0.25)

    assert Calibration.from_dict(curve.to_dict()) == curve
    with pytest.raises(ValueError, match="unknown calibration method"):
        Calibration.from_dict({"method": "isotonic", "slope": 1, "intercept": 0})


def test_identical_probabilities_show_no_change_in_the_brier_score() -> None:
    labels, scores = _cases(300, 4, sharpen=1.0)

    comparison, text = brier_comparison(
        labels, scores, scores, cases="test cases", units="test cases", n_resamples=200
    )

    assert comparison["difference"]["estimate"] == 0
    assert text.startswith("No change in the Brier score from calibration these test cases")
