"""The report's figures, one finding each, sized to be read two to a row on GitHub (~900 px).

Each figure is one panel of about 4.6 x 3.4 inches, so shown at 430 px its labels keep their
size; the served model is drawn larger and named in the legend, and every accuracy point
carries its bootstrap interval. Nothing here decides what a figure says: the captions are
written from the same numbers by ``narrative.captions``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, PercentFormatter

from {{ cookiecutter.__package }}.config import Names
from {{ cookiecutter.__package }}.figures import PALETTE, save_figure, style_axes

__all__ = ["FIGURES", "draw_figures"]

Metrics = dict[str, Any]
SIZE = (4.6, 3.4)
#: Figure file stems, in the order the documents show them; the first is the hero figure.
FIGURES = ("accuracy_long_tail", "accuracy_novelty", "accuracy_latency", "exposure", "cold_start")
_MARKERS = ("o", "s", "D", "^", "v", "P", "X", "*")


def _figure() -> tuple[Figure, Axes]:
    fig = Figure(figsize=SIZE, layout="constrained", facecolor="white")
    return fig, style_axes(fig.add_subplot())


def _ci(metrics: Metrics) -> str:
    return f"{metrics['confidence']:.0%} CI"


def _style(models: list[str], served: str) -> dict[str, dict[str, Any]]:
    return {
        name: {
            "color": PALETTE[i % len(PALETTE)],
            "marker": _MARKERS[i % len(_MARKERS)],
            "markersize": 9 if name == served else 6,
            "markeredgecolor": "black" if name == served else PALETTE[i % len(PALETTE)],
            "label": f"{name} (served)" if name == served else name,
        }
        for i, name in enumerate(models)
    }


def _accuracy_against(
    metrics: Metrics,
    x: Callable[[Metrics], tuple[float, float, float]],
    x_label: str,
    title: str,
    path: Path,
    *,
    percent: bool = False,
) -> Path:
    """NDCG (with its interval) against one other axis, one marker per model."""
    models, served = metrics["models"], metrics["served"]["model"]
    styles = _style(list(models), served)
    fig, ax = _figure()
    for name, result in models.items():
        value, low, high = x(result)
        ndcg = result["accuracy"]["ndcg"]
        y = ndcg["estimate"]
        style = dict(styles[name])
        ax.errorbar(
            value,
            y,
            xerr=[[value - low], [high - value]],
            yerr=[[y - ndcg["low"]], [ndcg["high"] - y]],
            linestyle="none",
            capsize=2,
            elinewidth=1,
            **style,
        )
    if percent:
        ax.xaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
    ax.xaxis.set_major_locator(MaxNLocator(5))
    ax.set_xlabel(x_label, fontsize=10)
    ax.set_ylabel(f"NDCG@{metrics['k']} ({_ci(metrics)})", fontsize=10)
    ax.set_title(title, fontsize=10.5)
    ax.legend(fontsize=8, frameon=False, loc="best")
    return save_figure(fig, path)


def _per_user(key: str) -> Callable[[Metrics], tuple[float, float, float]]:
    def read(result: Metrics) -> tuple[float, float, float]:
        value = result["beyond_accuracy"][key]
        return value["estimate"], value["low"], value["high"]

    return read


def _latency(result: Metrics) -> tuple[float, float, float]:
    value = result["beyond_accuracy"]["batch_microseconds_per_user"]
    return value, value, value


def _exposure(metrics: Metrics, names: Names, path: Path) -> Path:
    models, served = metrics["models"], metrics["served"]["model"]
    styles = _style(list(models), served)
    fig, ax = _figure()
    grid = np.linspace(0, 1, len(next(iter(models.values()))["exposure_lorenz"]))
    ax.plot([0, 1], [0, 1], color="#999999", linestyle=":", linewidth=1, label="equal exposure")
    for name, result in models.items():
        ax.plot(
            grid,
            result["exposure_lorenz"],
            color=styles[name]["color"],
            linewidth=2.4 if name == served else 1.5,
            label=f"{styles[name]['label']}, Gini {result['beyond_accuracy']['gini']:.3f}",
        )
    ax.xaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
    ax.yaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
    ax.set_xlabel(f"share of {names.items}, least recommended first", fontsize=10)
    ax.set_ylabel("share of recommendation slots", fontsize=10)
    ax.set_title(f"Who gets recommended: exposure across the {names.items}", fontsize=10.5)
    ax.legend(fontsize=7.5, frameon=False, loc="upper left")
    return save_figure(fig, path)


def _cold_start(metrics: Metrics, names: Names, path: Path) -> Path:
    """Per model, what knowing only a few interactions costs: a paired difference around 0.

    The same withheld users on the same targets, scored from their whole history and from
    their first few interactions; without withheld users, the cold-start NDCG itself.
    """
    models = metrics["models"]
    model_names = [name for name in models if models[name]["cold_start"] is not None]
    known, k = metrics["cold_start_known"], metrics["k"]
    costs = [models[name]["cold_start"]["cost"] for name in model_names]
    fig, ax = _figure()
    ax.grid(visible=True, axis="x", color="#DDDDDD", linewidth=0.8)
    ax.grid(visible=False, axis="y")
    positions = np.arange(len(model_names))[::-1]
    if all(cost is not None for cost in costs):
        values = [cost["difference"] for cost in costs]
        ax.axvline(0.0, color="#555555", linewidth=1)
        ax.set_xlabel(f"NDCG@{k}, whole history minus first {known} ({_ci(metrics)}, paired)")
        title = (
            f"What knowing only {known} interactions costs ({costs[0]['users']:,} {names.users})"
        )
    else:
        values = [models[name]["cold_start"]["ndcg"] for name in model_names]
        ax.set_xlabel(f"NDCG@{k} given the first {known} interactions ({_ci(metrics)})")
        title = f"Cold-start {names.users}, given their first {known} interactions"
    served = metrics["served"]["cold_start_model"]
    for position, name, value in zip(positions, model_names, values, strict=True):
        ax.errorbar(
            value["estimate"],
            position,
            xerr=[[value["estimate"] - value["low"]], [value["high"] - value["estimate"]]],
            fmt="D" if name == served else "o",
            color=PALETTE[0] if name == served else PALETTE[1],
            markersize=8 if name == served else 6,
            capsize=3,
        )
    labels = [f"{name} (served)" if name == served else name for name in model_names]
    ax.set_yticks(positions, labels, fontsize=9)
    ax.xaxis.set_major_locator(MaxNLocator(5))
    ax.set_title(title, fontsize=10.5)
    return save_figure(fig, path)


def draw_figures(metrics: Metrics, names: Names, folder: Path) -> dict[str, Path]:
    """Draw every figure the metrics support into ``folder``; return their paths by stem."""
    k = metrics["k"]
    paths = {
        "accuracy_long_tail": _accuracy_against(
            metrics,
            _per_user("long_tail"),
            "share of slots given to the long tail (80% least popular)",
            f"Accuracy against exposure of the long tail (NDCG@{k})",
            folder / "accuracy_long_tail.png",
            percent=True,
        ),
        "accuracy_novelty": _accuracy_against(
            metrics,
            _per_user("novelty"),
            "novelty of the recommended items (bits)",
            "Accuracy against novelty",
            folder / "accuracy_novelty.png",
        ),
        "accuracy_latency": _accuracy_against(
            metrics,
            _latency,
            f"µs per {names.user} to score a batch",
            "Accuracy against serving cost",
            folder / "accuracy_latency.png",
        ),
        "exposure": _exposure(metrics, names, folder / "exposure.png"),
    }
    if metrics["cold_start_users"]:
        paths["cold_start"] = _cold_start(metrics, names, folder / "cold_start.png")
    else:
        (folder / "cold_start.png").unlink(missing_ok=True)
    return paths
