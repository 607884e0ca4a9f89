"""Tests for error costs, the cost-minimising threshold and the business table."""

from __future__ import annotations

import numpy as np
import pytest

from {{cookiecutter.__package}}.costs import (
    Counts,
    ErrorCosts,
    best_threshold,
    business_markdown,
    business_table,
    case_costs,
    confusion_counts,
    cost_curve,
    expected_cost,
    threshold_markdown,
)

COSTS = ErrorCosts(false_positive=5.0, false_negative=50.0)
SCORES = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]
Y_TRUE = [0, 0, 1, 0, 0, 0, 1, 0, 1]


def _cases() -> tuple[np.ndarray, np.ndarray]:
    """1,000 cases: 20 positives; the model flags 21, of which 18 are right.

    tp = 18, fn = 20 - 18 = 2, fp = 21 - 18 = 3, tn = 980 - 3 = 977.
    """
    y_true = np.zeros(1_000, dtype=int)
    y_true[:20] = 1
    y_pred = np.zeros(1_000, dtype=int)
    y_pred[2:20] = 1  # 18 true positives, the first 2 positives missed
    y_pred[20:23] = 1  # 3 false positives
    return y_true, y_pred


def test_error_costs_reject_negative_values() -> None:
    with pytest.raises(ValueError, match="false_positive cost"):
        ErrorCosts(false_positive=-1.0, false_negative=5.0)


def test_error_costs_reject_both_zero() -> None:
    with pytest.raises(ValueError, match="at least one error"):
        ErrorCosts(false_positive=0.0, false_negative=0.0)


def test_error_costs_allow_one_free_error() -> None:
    assert ErrorCosts(false_positive=0, false_negative=1).false_positive == 0.0


def test_confusion_counts() -> None:
    y_true, y_pred = _cases()

    assert confusion_counts(y_true, y_pred) == Counts(tp=18, fp=3, tn=977, fn=2)


def test_confusion_counts_accept_booleans() -> None:
    counts = confusion_counts([True, False, True], [True, True, False])

    assert counts == Counts(tp=1, fp=1, tn=0, fn=1)


def test_confusion_counts_reject_other_labels() -> None:
    with pytest.raises(ValueError, match="0/1"):
        confusion_counts(["spam", "ham"], [1, 0])


def test_confusion_counts_reject_different_lengths() -> None:
    with pytest.raises(ValueError, match="y_true has 2 cases but y_pred has 3"):
        confusion_counts([0, 1], [0, 1, 1])


def test_expected_cost_prices_each_error() -> None:
    # 3 false positives at 5 + 2 false negatives at 50 = 15 + 100 = 115.
    counts = Counts(tp=18, fp=3, tn=977, fn=2)

    assert expected_cost(counts, COSTS) == 115.0


def test_cost_curve_counts_errors_at_each_threshold() -> None:
    # Rule: positive when score >= threshold.
    y_true = [0, 0, 1, 1]
    scores = [0.1, 0.6, 0.4, 0.9]

    curve = cost_curve(y_true, scores, COSTS, thresholds=[0.0, 0.5, 1.0])

    # t=0: all flagged -> fp 2, fn 0; t=0.5: 0.6 and 0.9 flagged -> fp 1 (0.6), fn 1 (0.4);
    # t=1: none flagged -> fp 0, fn 2.
    assert curve.false_positives.tolist() == [2, 1, 0]
    assert curve.false_negatives.tolist() == [0, 1, 2]
    # Costs: 2*5 = 10; 1*5 + 1*50 = 55; 2*50 = 100.
    assert curve.costs.tolist() == [10.0, 55.0, 100.0]


def test_cost_curve_default_thresholds_span_every_decision() -> None:
    curve = cost_curve([0, 1, 1], [0.2, 0.7, 0.7], COSTS)

    assert curve.thresholds.tolist() == [0.0, 0.2, 0.7, 1.0]
    # From acting on everyone (fp 1) to acting on no one (fn 2).
    assert (curve.false_positives[0], curve.false_negatives[-1]) == (1, 2)


def test_cost_curve_adds_a_threshold_above_a_score_of_one() -> None:
    curve = cost_curve([0, 1], [0.3, 1.0], COSTS)

    assert curve.thresholds[-1] > 1.0
    assert (curve.false_positives[-1], curve.false_negatives[-1]) == (0, 1)


def test_cost_curve_arrays_are_read_only() -> None:
    curve = cost_curve([0, 1], [0.3, 0.8], COSTS)

    with pytest.raises(ValueError, match="read-only"):
        curve.costs[0] = 0.0


def test_cost_curve_matches_a_per_threshold_loop() -> None:
    rng = np.random.default_rng(0)
    y_true = rng.integers(0, 2, size=300)
    scores = np.round(rng.random(300), 2)  # rounded, so many ties
    curve = cost_curve(y_true, scores, COSTS)

    for t, fp, fn in zip(
        curve.thresholds, curve.false_positives, curve.false_negatives, strict=True
    ):
        counts = confusion_counts(y_true, scores >= t)
        assert (fp, fn) == (counts.fp, counts.fn)


def test_best_threshold_lowers_the_bar_when_misses_are_expensive() -> None:
    # Positives score 0.3, 0.7 and 0.9; a miss costs 50, a false alarm 5.
    # t=0.2: fp 5 (0.2, 0.4, 0.5, 0.6, 0.8) -> 25;  t=0.3: fp 4 -> 20;
    # t=0.4: fp 4 + fn 1 (0.3) -> 20 + 50 = 70;     t=0.7: fp 1 + fn 1 -> 5 + 50 = 55;
    # t=0.9: fn 2 -> 100. The minimum, 20, is at 0.3, so on (0.2, 0.3]: its middle is 0.25.
    assert best_threshold(Y_TRUE, SCORES, COSTS) == pytest.approx(0.25)


def test_best_threshold_raises_the_bar_when_false_alarms_are_expensive() -> None:
    # Same cases, a false alarm costs 50, a miss 5.
    # t=0.7: fp 1 (0.8) + fn 1 (0.3) -> 50 + 5 = 55;  t=0.8: fp 1 + fn 2 -> 60;
    # t=0.9: fn 2 -> 10;  t=1 (act on no one): fn 3 -> 15. The minimum, 10, is on (0.8, 0.9].
    costs = ErrorCosts(false_positive=50, false_negative=5)

    assert best_threshold(Y_TRUE, SCORES, costs) == pytest.approx(0.85)


def test_best_threshold_is_unique_when_one_threshold_is_cheapest() -> None:
    # Equal costs; only (0.1, 0.3] separates the classes: t=0.1 -> fp 1, t=0.45 -> fn 1.
    costs = ErrorCosts(false_positive=1, false_negative=1)

    assert best_threshold([0, 1, 1, 1], [0.1, 0.3, 0.45, 0.7], costs) == pytest.approx(0.2)


def test_best_threshold_keeps_one_half_when_it_is_optimal() -> None:
    # Misses are free, so every t above 0.1 costs 0, 0.5 included.
    costs = ErrorCosts(false_positive=1, false_negative=0)

    assert best_threshold([0, 1, 1, 1], [0.1, 0.3, 0.45, 0.7], costs) == 0.5


def test_best_threshold_keeps_a_margin_on_perfectly_separated_cases() -> None:
    # Negatives score up to 0.1, positives from 0.15: any t in (0.1, 0.15] is perfect. The
    # edge 0.15 would flip on the next positive scoring a hair lower; the middle is 0.125.
    costs = ErrorCosts(false_positive=1, false_negative=1)

    assert best_threshold([0, 0, 1, 1], [0.05, 0.1, 0.15, 0.9], costs) == 0.125


def test_best_threshold_ignores_case_order() -> None:
    rng = np.random.default_rng(1)
    y_true = rng.integers(0, 2, size=200)
    scores = rng.random(200)
    order = rng.permutation(200)

    assert best_threshold(y_true, scores, COSTS) == best_threshold(
        y_true[order], scores[order], COSTS
    )


def test_acting_on_no_one_flags_nothing_even_a_score_of_exactly_one() -> None:
    # A false alarm costs 50, a miss 5: the one positive (0.4) is not worth the false alarm
    # at 1.0, so acting on no one (cost 5) is cheapest. A threshold of 1.0 would flag the
    # negative scoring exactly 1.0; the threshold returned must lie above it.
    y_true = [0, 1, 0]
    scores = [0.2, 0.4, 1.0]
    costs = ErrorCosts(false_positive=50, false_negative=5)

    threshold = best_threshold(y_true, scores, costs)

    assert threshold > 1.0
    assert not (np.asarray(scores) >= threshold).any()


def test_case_costs_price_each_decision_and_sum_to_the_expected_cost() -> None:
    y_true, y_pred = _cases()

    per_case = case_costs(y_true, y_pred, COSTS)

    assert per_case[:2].tolist() == [50.0, 50.0]  # the two missed positives
    assert per_case[20:23].tolist() == [5.0, 5.0, 5.0]  # the three false alarms
    assert per_case.sum() == expected_cost(confusion_counts(y_true, y_pred), COSTS)


def test_case_costs_reject_misaligned_decisions() -> None:
    with pytest.raises(ValueError, match="y_true has 2 cases but flagged has 3"):
        case_costs([0, 1], [0, 1, 1], COSTS)


def test_business_table_rates_per_ten_thousand() -> None:
    y_true, y_pred = _cases()

    model, everyone, no_one = business_table(
        y_true, y_pred, COSTS, positive_name="churners", negative_name="loyal customers"
    )

    # Model: 3 fp and 2 fn in 1,000 cases -> 30 and 20 per 10,000; cost 115 -> 1,150.
    assert (model["false_positives"], model["false_negatives"]) == pytest.approx((30.0, 20.0))
    assert model["expected_cost"] == pytest.approx(1_150.0)
    # Everyone: 980 fp * 5 = 4,900 per 1,000 -> 49,000 per 10,000.
    assert everyone["expected_cost"] == pytest.approx(49_000.0)
    # No one: 20 fn * 50 = 1,000 per 1,000 -> 10,000 per 10,000 (the cheaper trivial policy).
    assert no_one["expected_cost"] == pytest.approx(10_000.0)
    # Saving against the best trivial policy: 10,000 - 1,150 = 8,850.
    assert model["saving"] == pytest.approx(8_850.0)
    assert no_one["saving"] == 0.0
    assert everyone["saving"] == pytest.approx(-39_000.0)


def test_business_table_labels_policies_with_the_class_names() -> None:
    y_true, y_pred = _cases()

    rows = business_table(
        y_true, y_pred, COSTS, positive_name="churners", negative_name="loyal customers"
    )

    assert [row["policy"] for row in rows] == ["model", "act_on_everyone", "act_on_no_one"]
    assert rows[1]["label"] == "Act on everyone (treat all as churners)"
    assert rows[2]["label"] == "Act on no one (treat all as loyal customers)"


def test_business_table_accepts_another_base() -> None:
    y_true, y_pred = _cases()

    (model, _, _) = business_table(
        y_true, y_pred, COSTS, per=1_000, positive_name="p", negative_name="n"
    )

    assert model["expected_cost"] == pytest.approx(115.0)


def test_business_markdown_renders_one_line_per_policy() -> None:
    y_true, y_pred = _cases()
    rows = business_table(y_true, y_pred, COSTS, positive_name="spam", negative_name="ham")

    table = business_markdown(rows)

    lines = table.splitlines()
    assert "Expected cost per 10,000" in lines[0]
    assert len(lines) == 2 + 3
    assert lines[2].startswith("| Model ")
    assert "1,150" in lines[2]
    assert "8,850" in lines[2]


def test_business_markdown_rejects_no_rows() -> None:
    with pytest.raises(ValueError, match="no rows"):
        business_markdown([])


def test_threshold_markdown_compares_default_and_chosen() -> None:
    # At 0.5: 0.6 is a false alarm, 0.4 a miss: 5 + 50 = 55 over 4 cases -> 137,500 per
    # 10,000. At 0.4: only the false alarm: 5 over 4 cases -> 12,500 per 10,000.
    y_true = [0, 0, 1, 1]
    scores = [0.1, 0.6, 0.4, 0.9]

    text = threshold_markdown(y_true, scores, COSTS, threshold=0.4)

    assert "a false positive costs 5, a false negative 50 (evaluated on 4 cases)" in text
    default, chosen = text.splitlines()[-2:]
    assert default.startswith("| Default ")
    assert default.endswith(" 137,500 |")
    assert chosen.startswith("| Chosen by expected cost | 0.400 |")
    assert chosen.endswith(" 12,500 |")
