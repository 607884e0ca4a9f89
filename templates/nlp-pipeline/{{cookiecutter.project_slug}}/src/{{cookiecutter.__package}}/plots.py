"""The report's figures, each with a one-line takeaway written from its numbers.

The hero figure is the model's paired saving against every alternative, the answer to "is it
worth having"; then the confusion matrix with the class names, per-class F1 with intervals, the
reliability of the probabilities before and after recalibration and, with two classes, the cost
of each threshold on validation and the test scores by class. Figures go through ``figures``
(one house style, byte-identical reruns). A figure this run does not draw (a cost curve after
the data went from two classes to four) is removed, so the folder never shows a result of
another run.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from matplotlib.figure import Figure

from . import formats as fmt
from .business import PER
from .costmatrix import confusion
from .costs import DEFAULT_THRESHOLD, CostCurve, cost_curve
from .evaluate import Evaluation
from .figures import PALETTE, new_figure, save_figure
from .headline import HERO_FIGURE
from .metrics import brier_terms

__all__ = ["FIGURES", "DrawnFigure", "cost_figure", "cost_steps", "write_figures"]

#: Every figure this project draws, by key: its file in ``reports/figures`` and its alt text,
#: what it shows in words (the caption under it gives the numbers).
FIGURES = {
    "savings": (
        Path(HERO_FIGURE).name,
        "The model's saving against each alternative, with paired 95% intervals",
    ),
    "confusion": ("confusion_matrix.png", "Confusion matrix of the test set, with class names"),
    "per_class": ("per_class_f1.png", "F1 of each class on the test set, with 95% intervals"),
    "cost": ("cost_curve.png", "Expected cost per 10,000 validation cases against the threshold"),
    "scores": ("score_distribution.png", "Test-set scores by true class, with the threshold"),
    "reliability": (
        "reliability.png",
        "Predicted probabilities against observed shares on the test set",
    ),
}
_VERDICT_COLOURS = {1: PALETTE[2], -1: PALETTE[3], 0: PALETTE[7]}
_BINS = 10


@dataclass(frozen=True)
class DrawnFigure:
    """A figure written to disk, what it shows, and its takeaway written from the numbers."""

    path: Path
    alt: str
    caption: str


def _axis_limit(rows: list[dict[str, Any]]) -> float:
    """Return how far the savings axis reaches each side of 0.

    One policy can cost orders of magnitude more than the others (acting on every text, say);
    drawn to scale it would squeeze every comparison that matters into a dot. So when the
    widest reach is over five times the next, the axis stops a little past the next and the
    far one is drawn as an arrow with its numbers.
    """
    reach = sorted(max(abs(row["saving"]["low"]), abs(row["saving"]["high"])) for row in rows)
    if len(reach) > 1 and reach[-1] > 5 * reach[-2] > 0:
        return 1.3 * reach[-2]
    return 1.1 * reach[-1] if reach[-1] > 0 else 1.0


def savings_figure(evaluation: Evaluation, items: str) -> Figure:
    """Draw the model's saving against each alternative, with its paired 95% interval."""
    rows = [row for row in evaluation.metrics["comparison"]["policies"] if "saving" in row]
    limit = _axis_limit(rows)
    fig, ax = new_figure(6.4, max(2.4, 1.0 + 0.5 * len(rows)))
    for position, row in enumerate(rows):
        saving = row["saving"]
        direction = 1 if saving["low"] > 0 else -1 if saving["high"] < 0 else 0
        colour = _VERDICT_COLOURS[direction]
        if max(abs(saving["low"]), abs(saving["high"])) > limit:
            edge = limit if saving["estimate"] > 0 else -limit
            ax.annotate(
                fmt.interval(saving, fmt.signed_per_10k),
                xy=(edge, position),
                xytext=(edge * 0.45, position),
                color=colour,
                va="center",
                ha="center",
                fontsize=9,
                arrowprops={"arrowstyle": "->", "color": colour, "linewidth": 2},
            )
            continue
        ax.plot([saving["low"], saving["high"]], [position, position], color=colour, linewidth=2.5)
        ax.plot(saving["estimate"], position, "o", color=colour, markersize=6)
    ax.axvline(0.0, color=PALETTE[7], linewidth=1.0)
    ax.set_xlim(-limit, limit)
    ax.set_yticks(range(len(rows)), [row["label"] for row in rows])
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.grid(visible=True, axis="x", color="#DDDDDD")
    currency = evaluation.costs.currency
    ax.set_xlabel(
        f"The model's saving per 10,000 {items} ({currency}); right of 0 the model costs less"
    )
    ax.set_title("The model against each alternative (paired 95% intervals)")
    return fig


def _confusion(evaluation: Evaluation, path: Path, items: str) -> Path:
    classes = evaluation.classes
    k = len(classes)
    matrix = confusion(evaluation.y_test, evaluation.predictions["model"], k)
    # Colour by the share of each true class, so a rare class's errors show as clearly as a
    # common one's; the numbers are the counts.
    shares = matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1)
    side = max(4.4, 1.0 + 0.75 * k)
    fig, ax = new_figure(side + 0.8, side)
    ax.imshow(shares, cmap="Blues", vmin=0.0, vmax=1.0)
    ax.grid(visible=False)
    for (i, j), value in np.ndenumerate(matrix):
        colour = "white" if shares[i, j] > 0.5 else "black"
        ax.text(j, i, f"{value:,}", ha="center", va="center", color=colour, fontsize=11)
    rotate = k > 3 or max(len(name) for name in classes) > 8
    ax.set_xticks(
        range(k), classes, rotation=45 if rotate else 0, ha="right" if rotate else "center"
    )
    ax.set_yticks(range(k), classes)
    ax.set_xlabel("Given by the model")
    ax.set_ylabel("True class")
    ax.set_title(f"Test set: {int(matrix.sum()):,} {items}")
    return save_figure(fig, path)


def _per_class(evaluation: Evaluation, path: Path) -> Path:
    per_class = evaluation.metrics["test"]["per_class"]
    names = list(evaluation.classes)
    fig, ax = new_figure(6.4, max(2.6, 0.9 + 0.45 * len(names)))
    for row, name in enumerate(names):
        f1 = per_class[name]["f1"]
        if f1["estimate"] is None:
            continue
        low, high = f1["low"], f1["high"]
        if low is not None and high is not None:
            ax.plot([low, high], [row, row], color=PALETTE[0], linewidth=2.5)
        ax.plot(f1["estimate"], row, "o", color=PALETTE[3], markersize=6)
    macro = evaluation.metrics["test"]["macro"]["f1"]["estimate"]
    if macro is not None:
        ax.axvline(macro, color=PALETTE[7], linestyle=":", label=f"macro-F1 {macro:.3f}")
        ax.legend(frameon=False, loc="lower left")
    ax.set_yticks(range(len(names)), names)
    ax.set_ylim(len(names) - 0.5, -0.5)
    ax.set_xlim(0.0, 1.0)
    ax.grid(visible=True, axis="x", color="#DDDDDD")
    ax.set_xlabel("F1 on the test set (line: 95% bootstrap interval)")
    ax.set_title("Per-class F1")
    return save_figure(fig, path)


def cost_steps(curve: CostCurve) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Return the vertices of the cost curve drawn as steps, cost per 10,000 cases.

    A case is flagged when ``score >= t``, so every threshold in ``(t[i-1], t[i]]`` makes the
    decisions of ``t[i]`` and costs ``costs[i]``: each step runs from the previous candidate to
    its own, at its own cost. (matplotlib's ``drawstyle="steps-post"`` draws the opposite,
    holding each cost to the right of its candidate, which shifts the curve by one step.)
    """
    thresholds = curve.thresholds
    cost = curve.costs / curve.n * PER
    xs = np.repeat(thresholds, 2)[1:-1]
    ys = np.repeat(cost[1:], 2)
    return np.concatenate([[thresholds[0]], xs]), np.concatenate([[cost[0]], ys])


def cost_figure(evaluation: Evaluation, threshold: float) -> Figure:
    """Draw the validation cost of every threshold, the chosen one marked at its cost."""
    positive = evaluation.classes[1]
    prices = evaluation.costs.error_costs()
    scores = evaluation.validation_probabilities[:, 1]
    curve = cost_curve(evaluation.y_validation, scores, prices)
    chosen = cost_curve(evaluation.y_validation, scores, prices, thresholds=[threshold])
    chosen_cost = float(chosen.costs[0]) / chosen.n * PER
    fig, ax = new_figure()
    xs, ys = cost_steps(curve)
    # The last candidate flags nothing: the cost of having no model at all.
    no_model = float(ys[-1])
    ax.plot(xs, ys, color=PALETTE[0], label="model", gid="cost")
    ax.axhline(no_model, color=PALETTE[2], linestyle="-.", label=f"never {positive}")
    ax.axvline(DEFAULT_THRESHOLD, color=PALETTE[7], linestyle=":", label="default 0.5")
    ax.plot(
        [threshold],
        [chosen_cost],
        "o",
        color=PALETTE[3],
        label=f"chosen {fmt.threshold(threshold)}: {fmt.per_10k(chosen_cost)}",
        gid="chosen",
    )
    # Flagging everything can cost orders of magnitude more: cut where choices compete.
    ax.set_ylim(0, max(1.5 * no_model, 2 * float(ys.min()), 1.0))
    ax.set_xlim(0.0, 1.0)
    ax.set_xlabel(f"Threshold on the {positive} score")
    ax.set_ylabel(f"Expected cost per 10,000 ({evaluation.costs.currency})")
    ax.set_title("Validation cost by threshold")
    ax.legend(frameon=False)
    return fig


def _scores(evaluation: Evaluation, path: Path, threshold: float, items: str) -> Path:
    fig, ax = new_figure()
    bins = np.linspace(0.0, 1.0, 41)
    scores = evaluation.probabilities[:, 1]
    for code, colour in ((0, PALETTE[0]), (1, PALETTE[1])):
        values = scores[evaluation.y_test == code]
        name = evaluation.classes[code]
        ax.hist(values, bins=bins, alpha=0.7, color=colour, label=f"{name} ({values.size:,})")
    ax.set_yscale("log")
    ax.axvline(
        threshold, color=PALETTE[3], linestyle="--", label=f"threshold {fmt.threshold(threshold)}"
    )
    ax.set_xlabel(f"{evaluation.classes[1]} score")
    ax.set_ylabel(f"{items.capitalize()} (log scale)")
    ax.set_title("Test-set scores by true class")
    ax.legend(frameon=False)
    return save_figure(fig, path)


def reliability_points(
    y: npt.NDArray[np.int64], probabilities: npt.NDArray[np.float64]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.int64]]:
    """Return per score bin the mean predicted probability, the observed share, the count.

    Two classes: the positive class's probability against the share of positive texts. More:
    the probability of the class given (the model's confidence) against the share given their
    true class. Ten bins of equal width; empty bins are left out.
    """
    if probabilities.shape[1] == 2:
        predicted, observed = probabilities[:, 1], (y == 1).astype(np.float64)
    else:
        given = np.argmax(probabilities, axis=1)
        predicted = probabilities[np.arange(y.size), given]
        observed = (given == y).astype(np.float64)
    bins = np.minimum((predicted * _BINS).astype(np.int64), _BINS - 1)
    counts = np.bincount(bins, minlength=_BINS)
    kept = counts > 0
    mean_predicted = np.bincount(bins, predicted, minlength=_BINS)[kept] / counts[kept]
    share = np.bincount(bins, observed, minlength=_BINS)[kept] / counts[kept]
    return mean_predicted, share, counts[kept]


def _reliability(evaluation: Evaluation, path: Path) -> Path:
    fig, ax = new_figure()
    ax.plot([0, 1], [0, 1], color=PALETTE[7], linestyle=":", label="perfectly calibrated")
    y = evaluation.y_test
    applied = evaluation.metrics["test"]["calibration"]["applied"]
    curves = [("the model's own", evaluation.raw_probabilities, PALETTE[1], "-")]
    if evaluation.recalibrated is not None:
        name = "recalibrated (used)" if applied else "recalibrated (not used)"
        curves.append((name, evaluation.recalibrated, PALETTE[0], "-" if applied else "--"))
    for name, probabilities, colour, style in curves:
        x, share, _ = reliability_points(y, probabilities)
        score = fmt.brier(float(brier_terms(y, probabilities).mean()))
        ax.plot(x, share, "o", linestyle=style, color=colour, label=f"{name} (Brier {score})")
    binary = evaluation.binary
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel(
        f"Predicted probability of {evaluation.classes[1]}" if binary else "Model's confidence"
    )
    ax.set_ylabel(
        f"Observed share of {evaluation.classes[1]}" if binary else "Share given the true class"
    )
    ax.set_title("Reliability on the test set (10 bins)")
    ax.legend(frameon=False, loc="upper left")
    return save_figure(fig, path)


def _captions(evaluation: Evaluation, items: str) -> dict[str, str]:
    """Return each figure's one-line takeaway, written from the numbers it shows."""
    metrics = evaluation.metrics
    test = metrics["test"]
    classes = evaluation.classes
    matrix = np.array(test["confusion"])
    right = int(np.trace(matrix))
    captions = {"savings": metrics["headline"]["figure_caption"]}
    errors = metrics["errors"]
    captions["confusion"] = (
        f"{right:,} of {int(matrix.sum()):,} test {items} get their true class"
        + (
            f"; the commonest error is {errors[0]['true']} given {errors[0]['predicted']} "
            f"({errors[0]['count']:,})."
            if errors
            else "."
        )
    )
    captions["per_class"] = (
        f"F1 of each class with its 95% interval; macro-F1 {fmt.interval(test['macro']['f1'])}."
    )
    calibration = test["calibration"]
    probabilities = test["probabilities"]
    used = "used" if calibration["applied"] else f"not used, as {calibration['reason']}"
    captions["reliability"] = (
        f"Recalibration {used}. {calibration['sentence']}"
        if "sentence" in calibration
        else f"The model's own probabilities, Brier "
        f"{fmt.interval(probabilities['brier'], fmt.brier)}; not recalibrated, as "
        f"{calibration['reason']}."
    )
    decision = metrics["model"]["decision"]
    if decision["rule"] == "threshold":
        chosen = float(decision["threshold"])
        prices = evaluation.costs.error_costs()
        curve = cost_curve(
            evaluation.y_validation,
            evaluation.validation_probabilities[:, 1],
            prices,
            thresholds=[chosen],
        )
        captions["cost"] = (
            f"On the validation set the chosen threshold {fmt.threshold(chosen)} sits at the "
            f"lowest cost, {fmt.per_10k(float(curve.costs[0]) * PER / curve.n)} "
            f"{evaluation.costs.currency} per 10,000 {items}."
        )
        negative, positive = classes
        captions["scores"] = (
            f"Of {int(matrix.sum()):,} test {items}, {int(matrix[0, 1]):,} {negative} score at or "
            f"above the threshold {fmt.threshold(chosen)} and {int(matrix[1, 0]):,} {positive} "
            "below it."
        )
    return captions


def write_figures(evaluation: Evaluation, folder: Path, *, items: str) -> dict[str, DrawnFigure]:
    """Draw the figures that fit the evaluation into ``folder``; return them by key.

    Figures of ``FIGURES`` that do not fit (the threshold's with more than two classes) are
    removed from ``folder`` if an earlier run left them there.
    """
    paths = {
        "savings": save_figure(savings_figure(evaluation, items), folder / FIGURES["savings"][0]),
        "confusion": _confusion(evaluation, folder / FIGURES["confusion"][0], items),
        "per_class": _per_class(evaluation, folder / FIGURES["per_class"][0]),
    }
    decision = evaluation.metrics["model"]["decision"]
    if decision["rule"] == "threshold":
        threshold = float(decision["threshold"])
        paths["cost"] = save_figure(cost_figure(evaluation, threshold), folder / FIGURES["cost"][0])
        paths["scores"] = _scores(evaluation, folder / FIGURES["scores"][0], threshold, items)
    paths["reliability"] = _reliability(evaluation, folder / FIGURES["reliability"][0])
    for key, (name, _) in FIGURES.items():
        if key not in paths:
            (folder / name).unlink(missing_ok=True)
    captions = _captions(evaluation, items)
    return {key: DrawnFigure(path, FIGURES[key][1], captions[key]) for key, path in paths.items()}
