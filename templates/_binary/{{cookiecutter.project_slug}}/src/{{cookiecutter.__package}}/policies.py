"""Which way of deciding costs least, compared case by case so that every claim is paired.

A business reader asks three questions of a classifier: does it save money against doing
without it (acting on every case, on none, or on a simple rule), does its cost-chosen
threshold beat the default 0.5, and how firm is that threshold. Each answer compares two
policies on the same test cases, so each is a paired bootstrap of the per-case costs
(``uncertainty.paired_means``): a hard test set is hard for both policies, and only where
they decide differently can they differ. The sentences come from ``claims.compare``, so
"saves" appears only when the whole interval says so.

Everything here is plain data in, JSON-ready dicts out; the templates' report steps render
them with the ``*_markdown`` functions below.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from .business import PER, format_count
from .claims import Wording, compare
from .costs import DEFAULT_THRESHOLD, ErrorCosts, best_threshold, case_costs, cost_curve
from .tables import markdown_table
from .uncertainty import Comparison, bootstrap_mean, bootstrap_metric, paired_means

__all__ = [
    "AMOUNT",
    "COST_RATIO_FACTORS",
    "SETTLE",
    "SIGNED",
    "Bootstrap",
    "Names",
    "Pricing",
    "ScoredCases",
    "analyse_policies",
    "escape_braces",
    "format_threshold",
    "headline_items",
    "policies_markdown",
    "sensitivity_markdown",
    "stability_sentence",
    "threshold_record_markdown",
]

MODEL = "model"
MODEL_AT_DEFAULT = "model_at_default"
ACT_ON_EVERYONE = "act_on_everyone"
ACT_ON_NO_ONE = "act_on_no_one"
#: How far the cost of a miss relative to a false alarm is moved to show what the threshold
#: and the saving rest on: halved and doubled, around the configured costs.
COST_RATIO_FACTORS = (0.5, 1.0, 2.0)
_UNITS = "test cases"
#: The placeholders of a ``claims.Wording``, for f-strings that build one: the size of a
#: conclusive difference with its interval, the signed estimate with its interval, and the
#: clause saying how much more data would settle an unclear one.
AMOUNT = "{value} {interval}"
SIGNED = "{estimate} {interval}"
SETTLE = "{settle}"


@dataclass(frozen=True)
class ScoredCases:
    """Labels (1 = the positive class) and the model's scores for the same cases."""

    labels: npt.NDArray[np.bool_]
    scores: npt.NDArray[np.float64]

    @classmethod
    def of(cls, labels: Any, scores: Any) -> ScoredCases:
        """Return the cases as arrays, checking that they line up.

        Raises ``ValueError`` for arrays of different lengths, no cases or non-finite scores.
        """
        truth = np.asarray(labels) == 1
        values = np.asarray(scores, dtype=np.float64)
        if truth.shape != values.shape or truth.ndim != 1 or truth.size == 0:
            raise ValueError("labels and scores must be one-dimensional, aligned and non-empty")
        if not np.isfinite(values).all():
            raise ValueError("scores contain NaN or infinity")
        return cls(truth, values)

    def flagged(self, threshold: float) -> npt.NDArray[np.bool_]:
        """Return which cases are acted on at ``threshold`` (score at or above it)."""
        return self.scores >= threshold


@dataclass(frozen=True)
class Pricing:
    """What errors cost, and how many cases a period brings, so costs read as money a period."""

    costs: ErrorCosts
    cases_per_period: int
    currency: str
    period: str

    @property
    def unit(self) -> str:
        """How a reader says a cost per period: ``EUR a month``."""
        return f"{self.currency} a {self.period}"


@dataclass(frozen=True)
class Names:
    """Plural nouns for the two classes and for a case (``churners``, ``customers``)."""

    positive: str
    negative: str
    case: str


@dataclass(frozen=True)
class Bootstrap:
    """The resampling every interval here uses."""

    n_resamples: int = 1000
    confidence: float = 0.95
    seed: int = 0

    def options(self) -> dict[str, Any]:
        """Return the keyword arguments of the ``uncertainty`` functions."""
        return {
            "n_resamples": self.n_resamples,
            "confidence": self.confidence,
            "seed": self.seed,
        }


def format_threshold(threshold: float) -> str:
    """Return a threshold as the reports print it: three decimals, or what it means above 1."""
    if threshold > 1:
        return "above every score (acts on no one)"
    return f"{threshold:.3f}"


def escape_braces(text: str) -> str:
    """Return ``text`` safe to embed in a ``str.format`` template (a ``claims.Wording``).

    Names come from the owner's config and data; a brace in one would otherwise be read as a
    placeholder.
    """
    return text.replace("{", "{" * 2).replace("}", "}" * 2)


def _sentence_start(text: str) -> str:
    return text[:1].upper() + text[1:]


def _saving_wording(against: str, unit: str) -> Wording:
    """Wording for ``cost of the other policy - cost of the model``: a saving when positive."""
    other, money = escape_braces(against), escape_braces(unit)
    return Wording(
        ahead=f"The model saves {AMOUNT} {money} against {other}.",
        behind=f"{_sentence_start(other)} is cheaper: the model costs {AMOUNT} {money} more.",
        unclear=f"No saving against {other} this test set can show: {SIGNED} {money}; {SETTLE}.",
    )


def _threshold_wording(threshold: float, unit: str) -> Wording:
    chosen, money = format_threshold(threshold), escape_braces(unit)
    default = f"{DEFAULT_THRESHOLD:.1f}"
    return Wording(
        ahead=(
            f"The chosen threshold {chosen} saves {AMOUNT} {money} against the default {default}."
        ),
        behind=(
            f"The default {default} is cheaper: the chosen threshold {chosen} costs {AMOUNT} "
            f"{money} more."
        ),
        unclear=(
            f"No saving of the chosen threshold {chosen} over the default {default} this test "
            f"set can show: {SIGNED} {money}; {SETTLE}."
        ),
    )


def _policy_labels(names: Names, threshold: float) -> dict[str, tuple[str, str]]:
    """Each built-in policy's table label and the phrase a sentence names it by."""
    return {
        MODEL: (f"Model, threshold {format_threshold(threshold)} (chosen on validation)", ""),
        MODEL_AT_DEFAULT: (
            f"Model, default threshold {DEFAULT_THRESHOLD:.3f}",
            f"the default threshold {DEFAULT_THRESHOLD:.1f}",
        ),
        ACT_ON_EVERYONE: (
            f"Act on everyone (treat all as {names.positive})",
            f"acting on all {names.case}",
        ),
        ACT_ON_NO_ONE: (
            f"Act on no one (treat all as {names.negative})",
            f"acting on none of the {names.case}",
        ),
    }


def _label(labels: dict[str, tuple[str, str]], key: str) -> tuple[str, str]:
    # A rule a template adds is named by its key, in the table and in sentences alike.
    return labels.get(key, (_sentence_start(key), key))


def _per_period(costs: npt.NDArray[np.float64], pricing: Pricing) -> npt.NDArray[np.float64]:
    return costs * float(pricing.cases_per_period)


def _policy_row(
    key: str,
    label: str,
    phrase: str,
    truth: npt.NDArray[np.bool_],
    flagged: npt.NDArray[np.bool_],
    pricing: Pricing,
) -> dict[str, Any]:
    n = truth.size
    false_positives = int(np.count_nonzero(flagged & ~truth))
    false_negatives = int(np.count_nonzero(~flagged & truth))
    cost = float(case_costs(truth, flagged, pricing.costs).mean()) * pricing.cases_per_period
    return {
        "key": key,
        "label": label,
        "phrase": phrase,
        "false_positives": false_positives,
        "false_negatives": false_negatives,
        "false_positives_per_10k": false_positives / n * PER,
        "false_negatives_per_10k": false_negatives / n * PER,
        "cost_per_period": cost,
        "saving": None,
        "text": None,
    }


def _saving(
    truth: npt.NDArray[np.bool_],
    model: npt.NDArray[np.bool_],
    other: npt.NDArray[np.bool_],
    pricing: Pricing,
    bootstrap: Bootstrap,
) -> Comparison:
    """Compare paired: the difference is the other policy's cost minus the model's."""
    return paired_means(
        _per_period(case_costs(truth, other, pricing.costs), pricing),
        _per_period(case_costs(truth, model, pricing.costs), pricing),
        **bootstrap.options(),
    )


def _cheapest(rows: list[dict[str, Any]]) -> dict[str, Any]:
    # Ties keep the earlier row: the no-model policies come first, in a fixed order.
    return min(rows, key=lambda row: row["cost_per_period"])


def _baseline_decisions(
    truth: npt.NDArray[np.bool_], extra: Mapping[str, Any] | None
) -> dict[str, npt.NDArray[np.bool_]]:
    decisions = {
        ACT_ON_EVERYONE: np.ones(truth.size, dtype=bool),
        ACT_ON_NO_ONE: np.zeros(truth.size, dtype=bool),
    }
    for name, flags in (extra or {}).items():
        array = np.asarray(flags)
        if array.shape != truth.shape:
            raise ValueError(f"baseline {name!r} has {array.size} decisions for {truth.size} cases")
        decisions[name] = array.astype(bool)
    return decisions


def _stability(
    validation: ScoredCases,
    test: ScoredCases,
    threshold: float,
    pricing: Pricing,
    bootstrap: Bootstrap,
) -> dict[str, Any]:
    """How far the cost-minimising threshold moves when the validation cases are resampled."""
    interval = bootstrap_metric(
        lambda y, s: best_threshold(y, s, pricing.costs),
        validation.labels,
        validation.scores,
        **bootstrap.options(),
    )

    def test_cost(t: float) -> float:
        costs = case_costs(test.labels, test.flagged(t), pricing.costs)
        return float(costs.mean()) * pricing.cases_per_period

    return {
        **interval.to_dict(),
        "estimate": float(threshold),
        "resamples": bootstrap.n_resamples,
        "validation_cases": int(validation.labels.size),
        "test_cost_at_low": test_cost(interval.low),
        "test_cost_at_high": test_cost(interval.high),
    }


def _validation_costs(
    validation: ScoredCases, threshold: float, pricing: Pricing
) -> dict[str, float]:
    """Return the cost a period at the threshold on validation, and the lowest any reaches."""
    curve = cost_curve(validation.labels, validation.scores, pricing.costs)
    scale = pricing.cases_per_period / curve.n
    chosen = cost_curve(validation.labels, validation.scores, pricing.costs, [threshold])
    return {
        "cost_at_chosen": float(chosen.costs[0] * scale),
        "minimum_cost": float(curve.costs.min() * scale),
    }


def _scenario_costs(costs: ErrorCosts, factor: float) -> ErrorCosts:
    # The ratio moves by moving the cost of a miss; if misses are free, by the false alarm's.
    if costs.false_negative > 0:
        return ErrorCosts(costs.false_positive, costs.false_negative * factor)
    return ErrorCosts(costs.false_positive / factor, costs.false_negative)


def _sensitivity(
    validation: ScoredCases,
    test: ScoredCases,
    pricing: Pricing,
    baselines: dict[str, npt.NDArray[np.bool_]],
    labels: dict[str, tuple[str, str]],
    bootstrap: Bootstrap,
) -> list[dict[str, Any]]:
    """Re-choose the threshold and re-price everything with the cost ratio halved and doubled."""
    rows = []
    for factor in COST_RATIO_FACTORS:
        costs = _scenario_costs(pricing.costs, factor)
        priced = Pricing(costs, pricing.cases_per_period, pricing.currency, pricing.period)
        threshold = best_threshold(validation.labels, validation.scores, costs)
        model = test.flagged(threshold)
        options = [
            _policy_row(key, *_label(labels, key), test.labels, flags, priced)
            for key, flags in baselines.items()
        ]
        best = _cheapest(options)
        comparison = _saving(test.labels, model, baselines[best["key"]], priced, bootstrap)
        rows.append(
            {
                "factor": factor,
                "false_positive": costs.false_positive,
                "false_negative": costs.false_negative,
                "threshold": threshold,
                "model_cost_per_period": float(
                    case_costs(test.labels, model, costs).mean() * pricing.cases_per_period
                ),
                "best_baseline": best["key"],
                "best_baseline_phrase": best["phrase"],
                "saving": comparison.difference.to_dict(),
            }
        )
    return rows


def analyse_policies(
    validation: ScoredCases,
    test: ScoredCases,
    *,
    threshold: float,
    pricing: Pricing,
    names: Names,
    baselines: Mapping[str, Any] | None = None,
    bootstrap: Bootstrap | None = None,
) -> dict[str, Any]:
    """Price the model's test decisions against every other policy, paired; JSON-ready.

    ``threshold`` was chosen on ``validation``; ``test`` is scored once. ``baselines`` adds
    rules beyond acting on everyone or no one (name -> 0/1 test decisions, e.g. a keyword
    rule); the cheapest of all of them on the test set is the best baseline, the hardest one
    for the model to beat. Returns:

    - ``policies``: one row per policy (the model at ``threshold``, the model at 0.5, then the
      baselines), with errors, errors per 10,000, cost per period and, for each row but the
      model's, ``saving``: the paired comparison (that policy's cost minus the model's) and
      ``text``, the sentence its interval allows;
    - ``best_baseline``: the key of the cheapest baseline row;
    - ``errors``: false positives and negatives per 10,000 at ``threshold``, with intervals;
    - ``validation``: the cost a period at ``threshold`` on validation, and the lowest cost
      any threshold reaches there (equal, when ``threshold`` is the one chosen there);
    - ``stability``: the bootstrap range of the threshold re-chosen on resampled validation
      cases, and the test cost at its two ends;
    - ``sensitivity``: threshold, cost and saving against the best baseline with the cost of a
      miss halved, as configured, and doubled.

    Raises ``ValueError`` for misaligned or empty cases or baselines.
    """
    options = bootstrap or Bootstrap()
    labels = _policy_labels(names, threshold)
    truth, model = test.labels, test.flagged(threshold)
    decisions = _baseline_decisions(truth, baselines)
    rows = [_policy_row(MODEL, *labels[MODEL], truth, model, pricing)]

    default = _policy_row(
        MODEL_AT_DEFAULT, *labels[MODEL_AT_DEFAULT], truth, test.flagged(DEFAULT_THRESHOLD), pricing
    )
    if threshold == DEFAULT_THRESHOLD:
        default["text"] = (
            f"The threshold chosen on validation is the default {DEFAULT_THRESHOLD:.1f} itself."
        )
    else:
        comparison = _saving(truth, model, test.flagged(DEFAULT_THRESHOLD), pricing, options)
        default["saving"] = comparison.to_dict()
        default["text"] = compare(
            comparison.difference, _threshold_wording(threshold, pricing.unit), units=_UNITS
        )
    rows.append(default)

    baseline_rows = []
    for key, flags in decisions.items():
        row = _policy_row(key, *_label(labels, key), truth, flags, pricing)
        comparison = _saving(truth, model, flags, pricing, options)
        row["saving"] = comparison.to_dict()
        row["text"] = compare(
            comparison.difference, _saving_wording(row["phrase"], pricing.unit), units=_UNITS
        )
        baseline_rows.append(row)
    rows.extend(baseline_rows)

    n = truth.size
    return {
        "cases": int(n),
        "validation_cases": int(validation.labels.size),
        "per": pricing.cases_per_period,
        "period": pricing.period,
        "currency": pricing.currency,
        "unit": pricing.unit,
        "costs": {
            "false_positive": pricing.costs.false_positive,
            "false_negative": pricing.costs.false_negative,
        },
        "names": {"positive": names.positive, "negative": names.negative, "case": names.case},
        "thresholds": {"chosen": float(threshold), "default": DEFAULT_THRESHOLD},
        "policies": rows,
        "best_baseline": _cheapest(baseline_rows)["key"],
        "errors": {
            "false_positives_per_10k": bootstrap_mean(
                (model & ~truth) * float(PER), **options.options()
            ).to_dict(),
            "false_negatives_per_10k": bootstrap_mean(
                (~model & truth) * float(PER), **options.options()
            ).to_dict(),
        },
        "validation": _validation_costs(validation, threshold, pricing),
        "stability": _stability(validation, test, threshold, pricing, options),
        "sensitivity": _sensitivity(validation, test, pricing, decisions, labels, options),
    }


def _row(analysis: dict[str, Any], key: str) -> dict[str, Any]:
    return next(row for row in analysis["policies"] if row["key"] == key)


def _interval_text(values: dict[str, Any]) -> str:
    return (
        f"{format_count(values['estimate'])} "
        f"[{format_count(values['low'])}, {format_count(values['high'])}]"
    )


def headline_items(analysis: dict[str, Any], names: Names) -> list[dict[str, Any]]:
    """Return the three ``headline.items`` of ``reports/metrics.json`` (CONTRACTS.md section 1).

    The saving a period against the best baseline (the paired comparison and its sentence),
    then the two kinds of error per 10,000 cases at the chosen threshold.
    """
    best = _row(analysis, analysis["best_baseline"])
    saving = best["saving"]["difference"]
    threshold = format_threshold(analysis["thresholds"]["chosen"])
    per = f"{PER:,}"
    items = [
        {
            "key": "saving_per_period",
            "label": f"Saving a {analysis['period']} against the best no-model policy",
            "estimate": saving["estimate"],
            "low": saving["low"],
            "high": saving["high"],
            "confidence": saving["confidence"],
            "unit": analysis["unit"],
            "conclusive": saving["conclusive"],
            "text": best["text"],
        }
    ]
    errors = (
        (
            "false_positives_per_10k",
            f"{_sentence_start(names.negative)} acted on, per {per} {names.case}",
            f"{names.negative} the model flags needlessly",
        ),
        (
            "false_negatives_per_10k",
            f"{_sentence_start(names.positive)} missed, per {per} {names.case}",
            f"{names.positive} the model misses",
        ),
    )
    for key, label, meaning in errors:
        interval = analysis["errors"][key]
        items.append(
            {
                "key": key,
                "label": label,
                **interval,
                "unit": f"per {per} {names.case}",
                "conclusive": None,
                "text": (
                    f"At the threshold {threshold}, {_interval_text(interval)} of every {per} "
                    f"{names.case} are {meaning}."
                ),
            }
        )
    return items


def policies_markdown(analysis: dict[str, Any]) -> str:
    """Render the business table: each policy's errors, cost and the model's paired saving."""
    confidence = f"{analysis['stability']['confidence']:.0%}"
    per = f"{PER:,}"
    rows = []
    for row in analysis["policies"]:
        saving = row["saving"]
        rows.append(
            [
                row["label"],
                format_count(row["false_positives_per_10k"]),
                format_count(row["false_negatives_per_10k"]),
                format_count(row["cost_per_period"]),
                "" if saving is None else _interval_text(saving["difference"]),
            ]
        )
    return markdown_table(
        [
            "Policy",
            f"False positives per {per}",
            f"False negatives per {per}",
            f"Cost ({analysis['unit']})",
            f"The model's saving against it [{confidence} paired interval]",
        ],
        rows,
        align=["left", "right", "right", "right", "right"],
    )


def stability_sentence(analysis: dict[str, Any]) -> str:
    """Say how far the threshold moves when the validation cases are resampled."""
    s = analysis["stability"]
    return (
        f"Re-chosen on {s['resamples']:,} resamples of the {s['validation_cases']:,} validation "
        f"cases, the cost-minimising threshold lies between {format_threshold(s['low'])} and "
        f"{format_threshold(s['high'])} ({s['confidence']:.0%} of resamples); on the test set "
        f"those two thresholds cost {format_count(s['test_cost_at_low'])} and "
        f"{format_count(s['test_cost_at_high'])} {analysis['unit']}."
    )


def sensitivity_markdown(analysis: dict[str, Any]) -> str:
    """Render the threshold and saving with the cost of a miss halved, as set, and doubled."""
    confidence = f"{analysis['stability']['confidence']:.0%}"
    rows = []
    for row in analysis["sensitivity"]:
        change = (
            "as configured" if row["factor"] == 1 else "halved" if row["factor"] < 1 else "doubled"
        )
        ratio = (
            f"{format_count(row['false_negative'] / row['false_positive'])} : 1 ({change})"
            if row["false_positive"] > 0
            else f"misses only ({change})"
        )
        rows.append(
            [
                ratio,
                format_count(row["false_positive"]),
                format_count(row["false_negative"]),
                format_threshold(row["threshold"]),
                format_count(row["model_cost_per_period"]),
                row["best_baseline_phrase"],
                _interval_text(row["saving"]),
            ]
        )
    currency = analysis["currency"]
    return markdown_table(
        [
            "Miss : false alarm cost ratio",
            f"False positive ({currency})",
            f"False negative ({currency})",
            "Threshold (validation)",
            f"Model's cost ({analysis['unit']})",
            "Cheapest no-model policy",
            f"Saving against it [{confidence}]",
        ],
        rows,
        align=["left", "right", "right", "right", "right", "left", "right"],
    )


def threshold_record_markdown(analysis: dict[str, Any]) -> str:
    """Render the threshold decision record's numbers: both thresholds on the test set, paired."""
    default = _row(analysis, MODEL_AT_DEFAULT)
    chosen = _row(analysis, MODEL)
    per = f"{PER:,}"
    rows = [
        [
            label,
            format_threshold(row_threshold),
            format_count(row["false_positives_per_10k"]),
            format_count(row["false_negatives_per_10k"]),
            format_count(row["cost_per_period"]),
        ]
        for label, row_threshold, row in (
            ("Default", analysis["thresholds"]["default"], default),
            ("Chosen by expected cost", analysis["thresholds"]["chosen"], chosen),
        )
    ]
    table = markdown_table(
        [
            "Threshold",
            "Value",
            f"False positives per {per}",
            f"False negatives per {per}",
            f"Cost ({analysis['unit']})",
        ],
        rows,
        align=["left", "right", "right", "right", "right"],
    )
    costs, case = analysis["costs"], analysis["names"]["case"]
    prices = (
        f"A false positive costs {format_count(costs['false_positive'])} "
        f"{analysis['currency']}, a false negative {format_count(costs['false_negative'])} "
        f"{analysis['currency']}; {analysis['per']:,} {case} a {analysis['period']}. "
        f"Test set: {analysis['cases']:,} {case}, scored once."
    )
    return "\n\n".join(
        [
            prices,
            table,
            default["text"],
            stability_sentence(analysis),
            sensitivity_markdown(analysis),
        ]
    )
