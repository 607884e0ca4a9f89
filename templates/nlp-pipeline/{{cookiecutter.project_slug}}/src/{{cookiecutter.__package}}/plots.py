"""The report's figures: confusion matrix, per-class F1, and the threshold's cost and scores.

The confusion matrix carries the class names and per-class F1 its intervals; with two classes
the cost of each threshold and the score distributions are drawn too. Figures go through
``figures`` (one house style, byte-identical reruns). A figure this run does not draw (a cost
curve after the data went from two classes to four) is removed, so the folder never shows a
result of another run.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .costmatrix import confusion
from .costs import DEFAULT_THRESHOLD, cost_curve
from .evaluate import Evaluation
from .figures import PALETTE, new_figure, save_figure

__all__ = ["FIGURES", "write_figures"]

#: Every figure this project draws, by key, and the alt text that says what it shows.
FIGURES = {
    "confusion": ("confusion_matrix.png", "Confusion matrix of the test set, with class names"),
    "per_class": ("per_class_f1.png", "F1 of each class on the test set, with 95% intervals"),
    "cost": ("cost_curve.png", "Expected cost per 10,000 validation cases against the threshold"),
    "scores": ("score_distribution.png", "Test-set scores by true class, with the threshold"),
}


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


def _cost(evaluation: Evaluation, path: Path, threshold: float) -> Path:
    positive = evaluation.classes[1]
    prices = evaluation.costs.error_costs()
    curve = cost_curve(evaluation.y_validation, evaluation.validation_probabilities[:, 1], prices)
    fig, ax = new_figure()
    cost = curve.costs * (10_000 / curve.n)
    # The last threshold flags nothing: the cost of having no model at all.
    no_model = float(cost[-1])
    ax.plot(curve.thresholds, cost, color=PALETTE[0], drawstyle="steps-post", label="model")
    ax.axhline(no_model, color=PALETTE[2], linestyle="-.", label=f"never {positive}")
    ax.axvline(threshold, color=PALETTE[3], linestyle="--", label=f"chosen {threshold:.3f}")
    ax.axvline(DEFAULT_THRESHOLD, color=PALETTE[7], linestyle=":", label="default 0.5")
    # Flagging everything can cost orders of magnitude more: cut where choices compete.
    ax.set_ylim(0, max(1.5 * no_model, 2 * float(cost.min()), 1.0))
    ax.set_xlabel(f"Threshold on the {positive} score")
    ax.set_ylabel(f"Expected cost per 10,000 ({evaluation.costs.currency})")
    ax.set_title("Validation cost by threshold")
    ax.legend(frameon=False)
    return save_figure(fig, path)


def _scores(evaluation: Evaluation, path: Path, threshold: float, items: str) -> Path:
    fig, ax = new_figure()
    bins = np.linspace(0.0, 1.0, 41)
    scores = evaluation.probabilities[:, 1]
    for code, colour in ((0, PALETTE[0]), (1, PALETTE[1])):
        values = scores[evaluation.y_test == code]
        name = evaluation.classes[code]
        ax.hist(values, bins=bins, alpha=0.7, color=colour, label=f"{name} ({values.size:,})")
    ax.set_yscale("log")
    ax.axvline(threshold, color=PALETTE[3], linestyle="--", label="threshold")
    ax.set_xlabel(f"{evaluation.classes[1]} score")
    ax.set_ylabel(f"{items.capitalize()} (log scale)")
    ax.set_title("Test-set scores by true class")
    ax.legend(frameon=False)
    return save_figure(fig, path)


def write_figures(evaluation: Evaluation, folder: Path, *, items: str) -> dict[str, Path]:
    """Draw the figures that fit the evaluation into ``folder``; return them by key.

    Figures of ``FIGURES`` that do not fit (the threshold's with more than two classes) are
    removed from ``folder`` if an earlier run left them there.
    """
    paths = {
        "confusion": _confusion(evaluation, folder / FIGURES["confusion"][0], items),
        "per_class": _per_class(evaluation, folder / FIGURES["per_class"][0]),
    }
    decision = evaluation.metrics["model"]["decision"]
    if decision["rule"] == "threshold":
        threshold = float(decision["threshold"])
        paths["cost"] = _cost(evaluation, folder / FIGURES["cost"][0], threshold)
        paths["scores"] = _scores(evaluation, folder / FIGURES["scores"][0], threshold, items)
    for key, (name, _) in FIGURES.items():
        if key not in paths:
            (folder / name).unlink(missing_ok=True)
    return paths
