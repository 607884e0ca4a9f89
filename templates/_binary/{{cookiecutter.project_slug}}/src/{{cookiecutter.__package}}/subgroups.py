"""How the decisions treat each group, and which gaps between groups the test set can show.

The per-group table comes from fairlearn's ``MetricFrame``; beside it stand fairlearn's two
summary numbers, the demographic-parity difference (flagged rates) and the equalized-odds
difference (the larger of the recall and false-positive-rate gaps), each with a bootstrap
interval. A group with fewer than ``min_size`` positive or negative test cases is marked in the
table and left out of every difference and gap: a recall of 1.000 over four positives says
nothing about the next four. Each gap sentence compares the two groups furthest apart in one
rate, on the same resampled test cases (``uncertainty.paired_metric``), worded by
``claims.compare``: one group is "higher" only when the whole interval says so.

fairlearn's difference functions build a ``MetricFrame`` per call: about 0.4 s for the
equalized-odds difference on 6,500 cases, so 1,000 resamples would take minutes. The intervals
therefore recompute the same definitions from one ``bincount`` per resample; the point
estimates are fairlearn's own, and ``tests/test_subgroups.py`` checks that both agree.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from fairlearn.metrics import (
    MetricFrame,
    demographic_parity_difference,
    equalized_odds_difference,
)
from sklearn.metrics import roc_auc_score

from .claims import Wording, compare
from .policies import AMOUNT, SETTLE, SIGNED, Bootstrap, escape_braces
from .tables import markdown_table
from .uncertainty import bootstrap_metric, paired_metric

__all__ = [
    "DEFAULT_MIN_GROUP_SIZE",
    "GAP_METRICS",
    "demographic_parity",
    "equalized_odds",
    "subgroup_report",
    "subgroups_markdown",
]

#: Positive and negative test cases a group needs before its rates are compared: with 20, a
#: rate near one half is known to about +-0.2, the most a gap claim should rest on.
DEFAULT_MIN_GROUP_SIZE = 20
#: The rates whose gaps between groups are reported, with the words for them.
GAP_METRICS = {
    "recall": "recall",
    "false_positive_rate": "false positive rate",
    "flagged_rate": "flagged rate",
}
SMALL_MARK = "†"
_UNITS = "test cases"


def _as_arrays(labels: Any, flagged: Any) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    return (np.asarray(labels) == 1).astype(np.int64), np.asarray(flagged).astype(np.int64)


def _cells(labels: Any, flagged: Any, codes: Any, groups: int) -> tuple[npt.NDArray[np.int64], ...]:
    """Per group: true negatives, false positives, false negatives, true positives."""
    y, f = _as_arrays(labels, flagged)
    counts = np.bincount(np.asarray(codes) * 4 + y * 2 + f, minlength=4 * groups)
    tn, fp, fn, tp = counts.reshape(groups, 4).T
    return tn, fp, fn, tp


def _spread(values: npt.NDArray[np.float64]) -> float:
    return math.nan if np.isnan(values).any() else float(values.max() - values.min())


def demographic_parity(labels: Any, flagged: Any, codes: Any, groups: int) -> float:
    """Largest minus smallest flagged rate over groups ``0 .. groups-1`` (NaN if one is empty).

    The definition of fairlearn's ``demographic_parity_difference``, fast enough to bootstrap.
    """
    tn, fp, fn, tp = _cells(labels, flagged, codes, groups)
    cases = tn + fp + fn + tp
    with np.errstate(invalid="ignore", divide="ignore"):
        return _spread(np.where(cases > 0, (tp + fp) / cases, np.nan))


def equalized_odds(labels: Any, flagged: Any, codes: Any, groups: int) -> float:
    """Return the larger of the recall and the false-positive-rate spreads over the groups.

    The definition of fairlearn's ``equalized_odds_difference`` (its default, worst case);
    NaN when a group has no positive or no negative case.
    """
    tn, fp, fn, tp = _cells(labels, flagged, codes, groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        recall = np.where(tp + fn > 0, tp / (tp + fn), np.nan)
        false_positive_rate = np.where(fp + tn > 0, fp / (fp + tn), np.nan)
    spreads = (_spread(recall), _spread(false_positive_rate))
    return math.nan if any(math.isnan(s) for s in spreads) else max(spreads)


def _share(name: str, tn: int, fp: int, fn: int, tp: int) -> float:
    """Return the named rate from a confusion matrix; ValueError where it is undefined."""
    part, whole = {
        "recall": (tp, tp + fn),
        "false_positive_rate": (fp, fp + tn),
        "flagged_rate": (tp + fp, tn + fp + fn + tp),
    }[name]
    if whole == 0:
        raise ValueError(f"{name} is undefined without the cases it is a share of")
    return float(part / whole)


def _cell_codes(labels: Any, flagged: Any, mask: Any) -> npt.NDArray[np.int64]:
    """Each case's confusion cell (``2 * label + flagged``) inside ``mask``, -1 outside it.

    One small array per side is all a paired resample has to draw, which makes a gap's
    interval several times faster than drawing labels, decisions and mask separately.
    """
    y, f = _as_arrays(labels, flagged)
    return np.where(np.asarray(mask, dtype=bool), y * 2 + f, -1)


def _rate(name: str) -> Callable[[Any], float]:
    """Return the named rate of the cases whose cell codes (``_cell_codes``) are given."""

    def rate(cells: Any) -> float:
        # Shifted by one, the cases outside the mask (-1) fall into a bin of their own.
        _, tn, fp, fn, tp = np.bincount(np.asarray(cells) + 1, minlength=5)
        return _share(name, int(tn), int(fp), int(fn), int(tp))

    return rate


def _or_none(name: str, cells: tuple[int, int, int, int]) -> float | None:
    try:
        return _share(name, *cells)
    except ValueError:
        return None


def _group_table(
    labels: npt.NDArray[np.int64],
    scores: npt.NDArray[np.float64],
    threshold: float,
    groups: pd.Series,
    min_size: int,
) -> list[dict[str, Any]]:
    """One row per group: counts, rates at ``threshold`` and ROC-AUC, from one ``MetricFrame``.

    Two metrics, the confusion cells and ROC-AUC, rather than one per rate: ``MetricFrame``
    copies each group's rows for every metric it evaluates, the bulk of its time.
    """

    def cells(y: Any, s: Any) -> tuple[int, int, int, int]:
        tn, fp, fn, tp = np.bincount(
            (np.asarray(y) == 1).astype(np.int64) * 2 + (np.asarray(s) >= threshold),
            minlength=4,
        )
        return int(tn), int(fp), int(fn), int(tp)

    def roc_auc(y: Any, s: Any) -> float:
        positives = int(np.sum(y))
        return float(roc_auc_score(y, s)) if 0 < positives < len(y) else math.nan

    frame = MetricFrame(
        metrics={"cells": cells, "roc_auc": roc_auc},
        y_true=labels,
        y_pred=scores,
        sensitive_features=groups,
    )
    rows = []
    for group, values in frame.by_group.iterrows():
        tn, fp, fn, tp = values["cells"]
        auc = float(values["roc_auc"])
        counts = (tn, fp, fn, tp)
        rows.append(
            {
                "group": str(group),
                "cases": tn + fp + fn + tp,
                "positives": tp + fn,
                "negatives": tn + fp,
                "flagged": tp + fp,
                "positive_rate": (tp + fn) / (tn + fp + fn + tp),
                "flagged_rate": _or_none("flagged_rate", counts),
                "precision": tp / (tp + fp) if tp + fp else None,
                "recall": _or_none("recall", counts),
                "false_positive_rate": _or_none("false_positive_rate", counts),
                "roc_auc": None if math.isnan(auc) else auc,
                "too_small": tp + fn < min_size or tn + fp < min_size,
            }
        )
    return rows


def _difference(
    name: str,
    point: Callable[..., Any],
    fast: Callable[[Any, Any, Any, int], float],
    labels: npt.NDArray[np.int64],
    flagged: npt.NDArray[np.bool_],
    codes: npt.NDArray[np.int64],
    groups: pd.Series,
    bootstrap: Bootstrap,
) -> dict[str, Any]:
    count = int(codes.max()) + 1
    estimate = float(point(labels, flagged, sensitive_features=groups))
    try:
        interval = bootstrap_metric(
            lambda y, f, c: fast(y, f, c, count), labels, flagged, codes, **bootstrap.options()
        )
    except ValueError as err:
        return {"name": name, "estimate": estimate, "low": None, "high": None, "why": str(err)}
    return {"name": name, **interval.to_dict(), "estimate": estimate}


def _gap_wording(rate: str, column: str, high: str, low: str) -> Wording:
    rate_ = escape_braces(rate)
    high_, low_ = (escape_braces(f"{column} = {group}") for group in (high, low))
    start = rate_[:1].upper() + rate_[1:]
    return Wording(
        ahead=f"{start} is higher for {high_} than for {low_} by {AMOUNT}.",
        behind=f"{start} is lower for {high_} than for {low_} by {AMOUNT}.",
        unclear=(
            f"No {rate_} gap between {high_} and {low_} this test set can show: {SIGNED}; {SETTLE}."
        ),
    )


def _rate_digits(value: float) -> str:
    return f"{value:.3f}"


def _gap(
    name: str,
    rows: list[dict[str, Any]],
    labels: npt.NDArray[np.int64],
    flagged: npt.NDArray[np.bool_],
    groups: pd.Series,
    bootstrap: Bootstrap,
) -> dict[str, Any]:
    """Compare, paired, the two compared groups furthest apart in one rate."""
    ranked = sorted(
        (row for row in rows if not row["too_small"] and row[name] is not None),
        key=lambda row: row[name],
    )
    low, high = ranked[0], ranked[-1]
    gap: dict[str, Any] = {
        "metric": name,
        "highest": {"group": high["group"], "value": high[name]},
        "lowest": {"group": low["group"], "value": low[name]},
        "comparison": None,
    }
    values = groups.to_numpy()
    rate = _rate(name)
    try:
        comparison = paired_metric(
            rate,
            (_cell_codes(labels, flagged, values == high["group"]),),
            (_cell_codes(labels, flagged, values == low["group"]),),
            **bootstrap.options(),
        )
    except ValueError as err:
        gap["text"] = f"No interval for the {GAP_METRICS[name]} gap: {err}."
        return gap
    gap["comparison"] = comparison.to_dict()
    gap["text"] = compare(
        comparison.difference,
        _gap_wording(GAP_METRICS[name], str(groups.name), high["group"], low["group"]),
        value=_rate_digits,
        units=_UNITS,
    )
    return gap


def subgroup_report(
    labels: Any,
    scores: Any,
    threshold: float,
    groups: pd.DataFrame,
    *,
    min_size: int = DEFAULT_MIN_GROUP_SIZE,
    bootstrap: Bootstrap | None = None,
) -> dict[str, Any]:
    """Return, per column of ``groups``, the group table, fairlearn's differences and the gaps.

    ``groups`` holds one row per case (text values; a missing value should already be a
    group of its own). Per column: ``groups`` (one row per group: counts, rates at
    ``threshold``, ROC-AUC, ``too_small``), ``compared`` (the groups large enough to compare),
    ``differences`` (demographic parity and equalized odds over those groups, with intervals)
    and ``gaps`` (per rate, the paired comparison of the highest and lowest compared group,
    and its sentence). With fewer than two groups to compare, ``differences`` and ``gaps`` are
    empty and ``note`` says why.
    """
    options = bootstrap or Bootstrap()
    y = (np.asarray(labels) == 1).astype(np.int64)
    values = np.asarray(scores, dtype=np.float64)
    flagged = values >= threshold
    report: dict[str, Any] = {}
    for column in groups.columns:
        series = groups[column].astype(str).reset_index(drop=True).rename(str(column))
        rows = _group_table(y, values, threshold, series, min_size)
        compared = [row["group"] for row in rows if not row["too_small"]]
        entry: dict[str, Any] = {
            "min_size": min_size,
            "groups": rows,
            "compared": compared,
            "differences": [],
            "gaps": [],
            "note": None,
        }
        if len(compared) < 2:
            entry["note"] = (
                f"Fewer than two groups have {min_size} positive and {min_size} negative test "
                "cases, so no gap between groups is stated."
            )
            report[str(column)] = entry
            continue
        inside = series.isin(compared).to_numpy()
        kept = series[inside].reset_index(drop=True)
        codes = pd.Categorical(kept, categories=compared).codes.astype(np.int64)
        for name, point, fast in (
            ("demographic_parity", demographic_parity_difference, demographic_parity),
            ("equalized_odds", equalized_odds_difference, equalized_odds),
        ):
            entry["differences"].append(
                _difference(name, point, fast, y[inside], flagged[inside], codes, kept, options)
            )
        entry["gaps"] = [_gap(name, rows, y, flagged, series, options) for name in GAP_METRICS]
        report[str(column)] = entry
    return report


def _rate_cell(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


_DIFFERENCE_NAMES = {
    "demographic_parity": "Demographic-parity difference (flagged rates)",
    "equalized_odds": "Equalized-odds difference (the larger of the recall and FPR gaps)",
}


def subgroups_markdown(report: dict[str, Any], columns: Sequence[str] | None = None) -> str:
    """Render ``subgroup_report``: per column, the table, the differences, the gap sentences."""
    parts = []
    for column in columns if columns is not None else list(report):
        entry = report[column]
        rows = [
            [
                f"{row['group']} {SMALL_MARK}" if row["too_small"] else row["group"],
                f"{row['cases']:,}",
                f"{row['positives']:,}",
                _rate_cell(row["flagged_rate"]),
                _rate_cell(row["precision"]),
                _rate_cell(row["recall"]),
                _rate_cell(row["false_positive_rate"]),
                _rate_cell(row["roc_auc"]),
            ]
            for row in entry["groups"]
        ]
        table = markdown_table(
            [column, "Cases", "Positives", "Flagged rate", "Precision", "Recall", "FPR", "ROC-AUC"],
            rows,
            align=["left", *["right"] * 7],
        )
        lines = [f"**{column}**", table]
        if any(row["too_small"] for row in entry["groups"]):
            lines.append(
                f"{SMALL_MARK} Fewer than {entry['min_size']} positive or negative test cases: "
                "listed, but too few to compare, and left out of every difference and gap below."
            )
        if entry["note"]:
            lines.append(entry["note"])
        differences = []
        for difference in entry["differences"]:
            label = _DIFFERENCE_NAMES[difference["name"]]
            if difference["low"] is None:
                differences.append(
                    f"- {label}: {difference['estimate']:.3f} (no interval: {difference['why']})"
                )
            else:
                differences.append(
                    f"- {label}: {difference['estimate']:.3f} "
                    f"[{difference['low']:.3f}, {difference['high']:.3f}]"
                )
        if differences:
            lines.append(
                "fairlearn's summaries over the groups compared. Each is the largest gap between "
                "any two of them, a size that is never below 0, so its interval cannot contain "
                "0 and shows how large the gap could be, not whether there is one:\n\n"
                + "\n".join(differences)
            )
        gaps = [gap["text"] for gap in entry["gaps"]]
        if gaps:
            lines.append(
                "Whether there is a gap: the two groups furthest apart in each rate, compared "
                "on the same resampled test cases:\n\n" + "\n".join(f"- {text}" for text in gaps)
            )
        parts.append("\n\n".join(lines))
    return "\n\n".join(parts)
