"""The figures show the numbers the report states: read back from the drawn data."""

import numpy as np

from {{ cookiecutter.__package }}.costs import ErrorCosts, best_threshold, cost_curve
from {{ cookiecutter.__package }}.evaluate import Evaluation
from {{ cookiecutter.__package }}.plots import (
    cost_figure,
    cost_steps,
    reliability_points,
    savings_figure,
)


def _line(fig, gid: str):
    return next(line for line in fig.axes[0].get_lines() if line.get_gid() == gid)


def _drawn_cost_at(xs: np.ndarray, ys: np.ndarray, t: float) -> float:
    """The cost the drawn line shows at threshold ``t``: its flat step over ``(x0, x1]``."""
    points = list(zip(xs, ys, strict=True))
    for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False):
        if y0 == y1 and x0 < t <= x1:
            return float(y0)
    raise AssertionError(f"no step of the curve covers {t}")


def test_each_step_of_the_curve_has_the_cost_of_the_thresholds_it_spans() -> None:
    y = np.array([0, 0, 1, 0, 1, 1])
    scores = np.array([0.1, 0.3, 0.4, 0.6, 0.7, 0.9])
    prices = ErrorCosts(false_positive=3.0, false_negative=1.0)
    xs, ys = cost_steps(cost_curve(y, scores, prices))
    for t in np.linspace(0.01, 0.99, 99):
        flagged = scores >= t
        cost = 3.0 * np.sum(flagged & (y == 0)) + np.sum(~flagged & (y == 1))
        assert _drawn_cost_at(xs, ys, t) == cost / y.size * 10_000, t


def test_the_chosen_threshold_is_drawn_at_its_validation_cost_the_minimum(
    evaluation: Evaluation,
) -> None:
    threshold = evaluation.metrics["model"]["decision"]["threshold"]
    prices = evaluation.costs.error_costs()
    scores = evaluation.validation_probabilities[:, 1]
    curve = cost_curve(evaluation.y_validation, scores, prices)
    lowest = float(curve.costs.min()) / curve.n * 10_000
    assert threshold == best_threshold(evaluation.y_validation, scores, prices)
    fig = cost_figure(evaluation, threshold)
    xs, ys = _line(fig, "cost").get_data()
    assert _drawn_cost_at(np.asarray(xs), np.asarray(ys), threshold) == lowest
    marker_x, marker_y = _line(fig, "chosen").get_data()
    assert (marker_x[0], marker_y[0]) == (threshold, lowest)


def test_the_savings_figure_keeps_a_far_policy_from_squeezing_the_others(
    evaluation: Evaluation,
) -> None:
    fig = savings_figure(evaluation, "messages")
    rows = [r for r in evaluation.metrics["comparison"]["policies"] if "saving" in r]
    low, high = fig.axes[0].get_xlim()
    everyone = next(r for r in rows if r["policy"] == "act_on_everyone")["saving"]
    assert high < everyone["low"]  # drawn as an arrow with its numbers, off the scale
    labels = [text.get_text() for text in fig.axes[0].texts]
    assert any(label.startswith(f"+{everyone['estimate']:,.0f} [") for label in labels)
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == [r["label"] for r in rows]


def test_reliability_points_are_the_observed_share_per_bin() -> None:
    y = np.array([0, 0, 1, 1, 1, 0])
    scores = np.array([0.05, 0.07, 0.55, 0.52, 0.95, 0.91])
    predicted, observed, counts = reliability_points(y, np.column_stack([1 - scores, scores]))
    np.testing.assert_allclose(predicted, [0.06, 0.535, 0.93])
    np.testing.assert_allclose(observed, [0.0, 1.0, 0.5])
    assert counts.tolist() == [2, 2, 2]
